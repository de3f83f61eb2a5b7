/**
 * Exports what the Audit Log's filters show (`GET /governance/audit/export`): every entry they
 * select in the view's time window, not only the rows loaded, as NDJSON (with the checkpoints
 * that vouch for the entries) or CSV, saved as the file the gateway names.
 */
import type { AuditExportFormat } from '@policy-gateway/gateway-contract';
import { useState } from 'react';
import type { AuditQueryParams } from '../api/gateway-types.js';
import { useGateway } from '../config/gateway-context.js';

const FORMATS: readonly { readonly value: AuditExportFormat; readonly label: string }[] = [
  { value: 'csv', label: 'CSV' },
  { value: 'ndjson', label: 'NDJSON (with checkpoints)' },
];

export function AuditExportButton(props: {
  /** The view's filters and time window as the gateway reads them; undefined before it loaded. */
  readonly params: Omit<AuditQueryParams, 'limit' | 'cursor'> | undefined;
}) {
  const { client } = useGateway();
  const [format, setFormat] = useState<AuditExportFormat>('csv');
  const [state, setState] = useState<
    { kind: 'idle' } | { kind: 'exporting' } | { kind: 'failed'; message: string }
  >({ kind: 'idle' });

  const exportNow = async () => {
    if (props.params === undefined) return;
    setState({ kind: 'exporting' });
    try {
      const { file, filename } = await client.exportAudit(props.params, format);
      const url = URL.createObjectURL(file);
      const link = document.createElement('a');
      link.href = url;
      link.download = filename;
      document.body.append(link);
      link.click();
      link.remove();
      // After the click has handed the file to the browser's download.
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setState({ kind: 'idle' });
    } catch (error) {
      setState({ kind: 'failed', message: error instanceof Error ? error.message : String(error) });
    }
  };

  return (
    <div className="export">
      <label className="export__format">
        <span className="sr-only">Export format</span>
        <select
          value={format}
          onChange={(event) => setFormat(event.target.value as AuditExportFormat)}
        >
          {FORMATS.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      </label>
      <button
        type="button"
        className="button"
        onClick={() => void exportNow()}
        disabled={props.params === undefined || state.kind === 'exporting'}
      >
        {state.kind === 'exporting' ? 'Exporting…' : 'Export'}
      </button>
      {state.kind === 'failed' && (
        <span className="state--error-text" role="alert">
          Export failed: {state.message}
        </span>
      )}
    </div>
  );
}
