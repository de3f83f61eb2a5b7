// deploy/kubernetes against the Kubernetes API's own schemas (the kubernetes-models package,
// generated from the API server's OpenAPI document), as the API server would check them on
// `kubectl apply`; no cluster runs here. Files are read as YAML 1.1, as kubectl reads them, so
// that an unquoted `on` or `yes` is the boolean it would be there. The schemas check types and
// required fields; a misspelt optional field passes them (kubectl's strict decoding would not).
import { readdirSync, readFileSync } from 'node:fs';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { repoPath } from './support/repo-path.js';

interface KubernetesModel {
  validate(): void;
}
/** A model class; its data is checked at run time by `validate()`, not by the compiler. */
type ModelClass = new (data: never) => KubernetesModel;

const directory = repoPath('deploy/kubernetes');
const files = readdirSync(directory).filter((file) => file.endsWith('.yaml'));

function documentsOf(text: string, file: string): Record<string, unknown>[] {
  return parseAllDocuments(text, { version: '1.1' }).map((document) => {
    if (document.errors.length > 0) throw new Error(`${file}: ${document.errors[0]?.message}`);
    return document.toJS() as Record<string, unknown>;
  });
}

/** The models of the kinds the manifests use; a new kind fails the test until it is added. */
const MODELS: Readonly<Record<string, ModelClass>> = {
  'apps/v1 Deployment': Deployment,
  'batch/v1 Job': Job,
  'policy/v1 PodDisruptionBudget': PodDisruptionBudget,
  'v1 ConfigMap': ConfigMap,
  'v1 Secret': Secret,
  'v1 Service': Service,
};

/** The first schema error of a document, or undefined when the API server would take it. */
async function schemaError(document: Record<string, unknown>): Promise<string | undefined> {
  const kind = `${String(document.apiVersion)} ${String(document.kind)}`;
  const Model = MODELS[kind];
  if (Model === undefined) return `no model for ${kind}: add it to MODELS`;
  try {
    new Model(document as never).validate();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

describe('Kubernetes manifests by the API schemas', () => {
  it.each(files)('%s is valid', async (file) => {
    const documents = documentsOf(readFileSync(`${directory}/${file}`, 'utf8'), file).filter(
      (document) => document.kind !== 'Kustomization',
    );
    for (const document of documents)
      expect(await schemaError(document), `${file}: ${document.kind}`).toBeUndefined();
  });

  it('finds a mistake: POLICY_GATEWAY_AUTH written `on` unquoted is a boolean to kubectl', async () => {
    const text = readFileSync(`${directory}/policy-gateway-deployment.yaml`, 'utf8');
    const unquoted = text.replace(
      /(name: POLICY_GATEWAY_AUTH\n\s+value: )"on"/,
      (_, head: string) => `${head}on`,
    );
    expect(unquoted).not.toBe(text);
    const [deployment] = documentsOf(unquoted, 'unquoted');
    expect(await schemaError(deployment ?? {})).toMatch(/must be string/);
  });
});
