# What the detectors read, computed once per evaluation, and the helpers they share.
package policy_gateway

# Detectors read `prompt`, never `input.prompt`. It is undefined, so that every detector
# stays silent, when the input's prompt is not a string (input.malformed denies) or is
# longer than the limit (prompt.too_long denies): scanning a prompt that is refused anyway
# would only let an over-long one buy seconds of CPU. The cost of an evaluation is thereby
# bounded by max_prompt_chars.
prompt := input.prompt if {
	is_string(input.prompt)
	count(input.prompt) <= data.policy_gateway.limits.max_prompt_chars
}

prompt_lower := lower(prompt)

# How many ASCII digits the prompt holds. Digit-shaped detectors (phone, card, IBAN)
# need several, and counting them is ten substring counts, far cheaper than a regex scan.
digit_count := sum([strings.count(prompt, digit) | some digit in ascii_digits])

ascii_digits := ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]

# A table-driven detector runs its regex only when one of its `triggers` (lowercase
# literals, one of which every match contains) occurs in the lowercased prompt: most
# prompts contain none, and a substring search costs far less than a regex scan, whose
# cost varies with the text. A detector without triggers always runs.
triggered(detector) if not detector.triggers

triggered(detector) if {
	some trigger in detector.triggers
	indexof(prompt_lower, trigger) != -1
}

# "1 e-mail address", "3 e-mail addresses": for messages that say how many were found.
quantity(n, singular, _) := sprintf("%d %s", [n, singular]) if n == 1

quantity(n, _, plural) := sprintf("%d %s", [n, plural]) if n != 1
