# The decision document the gateway asks for: data.policy_gateway.decision.
# Every other file adds to `violations`, one reason per kind of problem found;
# a prompt is allowed only when there is none.
package policy_gateway

# {"allow": bool, "reasons": [{"code", "message", "severity"}], "redact": [{"code", "text"}]}:
# reasons most severe first; `redact` lists the text each detector matched, for the gateway to
# replace in the prompt it records (`[pii.email]`). The gateway drops `redact` before the
# audit entry is stored, and never answers it to the client.
decision := {"allow": count(violations) == 0, "reasons": reasons, "redact": redact}

reasons := [reason |
	some severity in severity_order
	some reason in sorted_violations
	reason.severity == severity
]

sorted_violations := sort(violations)

severity_order := ["critical", "high", "medium", "low"]

# Without a string prompt and user id the detectors cannot judge anything: deny
# rather than let silence read as allow.
violations contains {
	"code": "input.malformed",
	"message": "the input must have a string `prompt` and a string `user_id`",
	"severity": "high",
} if {
	not well_formed
}

well_formed if {
	is_string(input.prompt)
	is_string(input.user_id)
}
