# The decision-log mask policy: what the audit trail must not keep of a decision, in OPA's
# own form (`data.system.log.mask`), so that an OPA server running this bundle masks its
# decision logs the same way. The gateway evaluates it before an entry is stored, with the
# decision-log event as input (`input.input` is the policy input, `input.result` the decision
# document), and records what it erased and masked on the entry.
#
# Each rule is a JSON pointer under /input or /result to erase, or
# {"op": "upsert", "path": …, "value": …} to overwrite. Spans the detectors matched are
# redacted inside the prompt before this policy's rules apply (see decision.rego's `redact`).
package system.log

# A prompt over the length limit is refused without being scanned (limits.rego), so nothing in
# it was redacted: keep its length, not its text.
mask contains {
	"op": "upsert",
	"path": "/input/prompt",
	"value": sprintf("[prompt.too_long: %d characters, not scanned, not stored]", [count(input.input.prompt)]),
} if {
	some reason in input.result.reasons
	reason.code == "prompt.too_long"
}

# A context member an operator marks as personal (`data.policy_gateway.private_context`) is
# erased whatever the decision.
mask contains sprintf("/input/context/%s", [key]) if {
	some key in data.policy_gateway.private_context
	_ = input.input.context[key]
}
