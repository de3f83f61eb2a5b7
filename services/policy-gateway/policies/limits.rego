# Limits on the prompt itself: it must say something, and not too much.
# The limit is data (data.json), so operators change it without touching Rego. A prompt
# over it is refused for its length alone: the detectors do not scan it (see prompt.rego).
package policy_gateway

violations contains {
	"code": "prompt.empty",
	"message": "the prompt is empty or only whitespace",
	"severity": "low",
} if {
	trim_space(prompt) == ""
}

violations contains {
	"code": "prompt.too_long",
	"message": sprintf("the prompt is %d characters long, over the limit of %d", [length, limit]),
	"severity": "medium",
} if {
	is_string(input.prompt)
	length := count(input.prompt)
	limit := data.policy_gateway.limits.max_prompt_chars
	length > limit
}

# Without its data the policy would scan nothing (`prompt` needs the limit) and allow
# everything: a server started without data.json must deny instead.
violations contains {
	"code": "policy.misconfigured",
	"message": "the policy's data is missing: data.policy_gateway.limits.max_prompt_chars must be a number",
	"severity": "critical",
} if {
	not is_number(data.policy_gateway.limits.max_prompt_chars)
}
