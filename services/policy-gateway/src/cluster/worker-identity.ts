/**
 * Who a worker is, as the primary tells it when it starts: its slot (`1`…`N`; a worker started
 * again after a crash takes the slot of the one it replaces, so metric series stay few) and the
 * instance name recorded in its audit entries, checkpoints and logs (`<instance>/<slot>`).
 */
export interface WorkerIdentity {
  readonly slot: number;
  readonly instanceName: string;
}
