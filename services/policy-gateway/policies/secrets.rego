# Secrets in prompts: credentials must never reach a model provider.
# One row per kind of secret; each row is one RE2 expression (no lookarounds or
# backreferences) so that OPA and the embedded engine match exactly the same text.
package policy_gateway

secret_detectors := {
	"secret.aws_access_key": {
		"pattern": `\b(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}\b`,
		"what": ["AWS access key id", "AWS access key ids"],
		"severity": "critical",
	},
	"secret.github_token": {
		# Classic tokens (ghp_, gho_, ghu_, ghs_, ghr_) and fine-grained ones (github_pat_).
		"pattern": `\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b`,
		"what": ["GitHub token", "GitHub tokens"],
		"severity": "critical",
	},
	"secret.slack_token": {
		"pattern": `\bxox[abposr]-[A-Za-z0-9-]{10,}|https://hooks\.slack\.com/services/[A-Za-z0-9_/]{20,}`,
		"what": ["Slack token or webhook", "Slack tokens or webhooks"],
		"severity": "critical",
	},
	"secret.openai_api_key": {
		# sk- followed by a long opaque run, or a typed key (sk-proj-, sk-svcacct-, sk-ant-…):
		# a hyphenated phrase such as "sk-this-is-a-phrase" is not a key.
		"pattern": `\bsk-(?:[A-Za-z0-9]{32,}|(?:proj|svcacct|admin|ant)-[A-Za-z0-9_-]{20,})`,
		"what": ["OpenAI-style API key (sk-…)", "OpenAI-style API keys (sk-…)"],
		"severity": "critical",
	},
	"secret.jwt": {
		# Header and payload are base64url JSON objects, so both start with eyJ ('{"').
		"pattern": `\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{10,}`,
		"what": ["JSON Web Token", "JSON Web Tokens"],
		"severity": "high",
	},
	"secret.private_key": {
		# PKCS#1/#8, EC, OpenSSH, encrypted and PGP private keys all share this armour line.
		"pattern": `-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----`,
		"what": ["PEM private key", "PEM private keys"],
		"severity": "critical",
	},
	"secret.credential_assignment": {
		# api_key=…, "password": "…", client-secret: … with a value of 6+ characters, in
		# any case: matched against the lowercased prompt, like every `lowercase` detector.
		"lowercase": true,
		"triggers": ["key", "secret", "token", "passw", "pwd"],
		"pattern": `\b(?:api[_-]?key|secret[_-]?key|client[_-]?secret|access[_-]?token|auth[_-]?token|password|passwd|pwd)["']?\s*[:=]\s*["']?[^\s"',;]{6,}`,
		"what": ["credential assignment (api_key=…, password=…)", "credential assignments (api_key=…, password=…)"],
		"severity": "high",
	},
}

# What each detector that fired found, computed once: counted for the reason, and reported
# to the audit trail's redaction (`redact`, see decision.rego), which never stores it.
secret_matches[code] := matches if {
	some code, detector in secret_detectors
	triggered(detector)
	matches := regex.find_n(detector.pattern, detector_text(detector), -1)
	count(matches) > 0
}

# The message says what and how many, never the secret itself.
violations contains {
	"code": code,
	"message": sprintf("%s found in the prompt", [quantity(count(matches), detector.what[0], detector.what[1])]),
	"severity": detector.severity,
} if {
	some code, matches in secret_matches
	detector := secret_detectors[code]
}

redact contains {"code": code, "text": text} if {
	some code, matches in secret_matches
	some text in matches
}

# Case-sensitive detectors read the prompt as written; `lowercase` ones read it lowercased
# (cheaper than a (?i) pattern, see prompt_injection.rego).
detector_text(detector) := prompt_lower if detector.lowercase

detector_text(detector) := prompt if not detector.lowercase
