# A stand-in for the gateway's policy, used by scripts/bench.ts when
# services/policy-gateway/policies/ is absent: a dozen rules, regex checks and a
# partial set of reasons, in the same shape as the real decision.
package bench

decision := {"allow": count(reasons) == 0, "reasons": sort(reasons)}

prompt := input.prompt if is_string(input.prompt)

prompt_lower := lower(prompt)

reasons contains "input.malformed" if not is_string(input.prompt)

reasons contains "prompt.empty" if trim_space(prompt) == ""

reasons contains "prompt.too_long" if count(prompt) > data.bench.max_prompt_chars

reasons contains "user.blocked" if input.user_id in data.bench.blocked_users

reasons contains "pii.email" if {
	count(regex.find_n(`[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}`, prompt, -1)) > 0
}

reasons contains "pii.us_ssn" if regex.match(`\b[0-9]{3}-[0-9]{2}-[0-9]{4}\b`, prompt)

reasons contains "secret.aws_access_key" if regex.match(`\b(?:AKIA|ASIA)[A-Z0-9]{16}\b`, prompt)

reasons contains "secret.private_key" if contains(prompt, "-----BEGIN PRIVATE KEY-----")

reasons contains code if {
	some code, detector in injection_detectors
	some trigger in detector.triggers
	contains(prompt_lower, trigger)
	regex.match(detector.pattern, prompt)
}

injection_detectors := {
	"prompt_injection.instruction_override": {
		"pattern": `(?i)\b(?:ignore|disregard)\s+(?:all\s+)?(?:previous|prior)\s+instructions\b`,
		"triggers": ["ignore", "disregard"],
	},
	"prompt_injection.system_prompt_extraction": {
		"pattern": `(?i)\b(?:reveal|print)\s+(?:your|the)\s+system\s+prompt\b`,
		"triggers": ["system"],
	},
}
