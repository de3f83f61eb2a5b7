import { describe, expect, it } from 'vitest';
import { engineFor } from './evaluator-harness.js';

/** Policies in the style of OPA's documentation, exercising many constructs together. */
const RBAC = `package rbac
import rego.v1

default allow := false

allow if user_is_admin

allow if {
	some grant in user_is_granted
	input.action == grant.action
	input.type == grant.type
}

user_is_admin if "admin" in data.user_roles[input.user]

user_is_granted contains grant if {
	some role in data.user_roles[input.user]
	some grant in data.role_grants[role]
}
`;

const ADMISSION = `package kubernetes.admission
import rego.v1

deny contains msg if {
	input.request.kind.kind == "Pod"
	image := input.request.object.spec.containers[_].image
	not startswith(image, "hooli.com/")
	msg := sprintf("image '%v' comes from untrusted registry", [image])
}

containers_by_name[c.name] := c.image if {
	some c in input.request.object.spec.containers
}

images := {c.image | some c in input.request.object.spec.containers}
`;

const NETWORK = `package network
import rego.v1

public_servers contains server.id if {
	some server in input.servers
	some port in server.ports
	some input_port in input.ports
	port == input_port.id
	some input_network in input.networks
	input_port.network == input_network.id
	input_network.public
}

apps_by_hostname[hostname] := app if {
	some i
	server := input.sites[_].servers[i]
	hostname := server.hostname
	some j
	app := input.apps[j].name
	server.name in input.apps[j].servers
}
`;

describe('evaluator: whole policies', () => {
  it('decides role-based access from data and input', () => {
    const engine = engineFor({
      modules: [RBAC],
      data: {
        user_roles: { alice: ['admin'], bob: ['employee', 'billing'] },
        role_grants: {
          billing: [{ action: 'read', type: 'finance' }],
          employee: [{ action: 'read', type: 'dog' }],
        },
      },
    });
    const allow = (input: unknown) => engine.evalRule('data.rbac.allow', { input });
    expect(allow({ user: 'alice', action: 'delete', type: 'x' })).toBe(true);
    expect(allow({ user: 'bob', action: 'read', type: 'finance' })).toBe(true);
    expect(allow({ user: 'bob', action: 'update', type: 'finance' })).toBe(false);
    expect(allow({ user: 'eve', action: 'read', type: 'dog' })).toBe(false);
  });

  it('collects admission denials, objects and sets over containers', () => {
    const engine = engineFor({ modules: [ADMISSION] });
    const input = {
      request: {
        kind: { kind: 'Pod' },
        object: {
          spec: {
            containers: [
              { name: 'web', image: 'hooli.com/web' },
              { name: 'log', image: 'evil.io/log' },
            ],
          },
        },
      },
    };
    expect(engine.evalRule('data.kubernetes.admission', { input })).toEqual({
      deny: ["image 'evil.io/log' comes from untrusted registry"],
      containers_by_name: { web: 'hooli.com/web', log: 'evil.io/log' },
      images: ['evil.io/log', 'hooli.com/web'],
    });
  });

  it('joins several collections with some … in and indexes', () => {
    const engine = engineFor({ modules: [NETWORK] });
    const input = {
      servers: [
        { id: 'app', ports: ['p1', 'p2'] },
        { id: 'db', ports: ['p3'] },
      ],
      ports: [
        { id: 'p1', network: 'n1' },
        { id: 'p2', network: 'n2' },
        { id: 'p3', network: 'n2' },
      ],
      networks: [
        { id: 'n1', public: true },
        { id: 'n2', public: false },
      ],
      sites: [
        {
          servers: [
            { name: 'web-0', hostname: 'hydrogen' },
            { name: 'db-0', hostname: 'helium' },
          ],
        },
      ],
      apps: [
        { name: 'web', servers: ['web-0'] },
        { name: 'mysql', servers: ['db-0'] },
      ],
    };
    expect(engine.evalRule('data.network.public_servers', { input })).toEqual(['app']);
    expect(engine.evalRule('data.network.apps_by_hostname', { input })).toEqual({
      hydrogen: 'web',
      helium: 'mysql',
    });
  });
});
