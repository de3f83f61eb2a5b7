# Secrets in prompts: credentials must never reach a model provider.
# One row per kind of secret; each row is one RE2 expression (no lookarounds or
# backreferences) so that OPA and the embedded engine match exactly the same text.
#
# Rows are matched against the plain prompt (`plain`, see prompt.rego): folded, lower-case, so
# patterns are written in lower case; a zero-width space, full-width or look-alike letters, or
# a key spelt out one character at a time (`A K I A …`) do not break it. The secret is the pattern's first group: a key is told apart from a longer word
# by the character before it, which must not be a letter or digit (an underscore may be, so
# `aws_AKIA…` is found), not by `\b`, for which `_` is part of the word.
package policy_gateway

secret_detectors := {
	"secret.aws_access_key": {
		# The key id is 20 characters; longer runs are cut out whole and dropped by `length`.
		"pattern": `(?:^|[^a-z0-9])((?:akia|asia|abia|acca|a3t[a-z0-9])[a-z0-9]{16,})`,
		"length": 20,
		"what": ["AWS access key id", "AWS access key ids"],
		"severity": "critical",
		"triggers": ["akia", "asia", "abia", "acca", "a3t"],
	},
	"secret.github_token": {
		# Classic tokens (ghp_, gho_, ghu_, ghs_, ghr_) and fine-grained ones (github_pat_).
		"pattern": `(?:^|[^a-z0-9])(gh[pousr]_[a-z0-9]{36,255}|github_pat_[a-z0-9_]{22,255})`,
		"what": ["GitHub token", "GitHub tokens"],
		"severity": "critical",
		# The prefixes whole: `gh` alone occurs in most English prose (though, right, high).
		"triggers": ["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"],
	},
	"secret.slack_token": {
		"pattern": `(?:^|[^a-z0-9])(xox[abposr]-[a-z0-9-]{10,}|https://hooks\.slack\.com/services/[a-z0-9_/]{20,})`,
		"what": ["Slack token or webhook", "Slack tokens or webhooks"],
		"severity": "critical",
		"triggers": ["xox", "hooks.slack.com"],
	},
	"secret.openai_api_key": {
		# sk- followed by a long opaque run, or a typed key (sk-proj-, sk-svcacct-, sk-ant-…):
		# a hyphenated phrase such as "sk-this-is-a-phrase" is not a key.
		"pattern": `(?:^|[^a-z0-9])(sk-(?:[a-z0-9]{32,}|(?:proj|svcacct|admin|ant)-[a-z0-9_-]{20,}))`,
		"what": ["OpenAI-style API key (sk-…)", "OpenAI-style API keys (sk-…)"],
		"severity": "critical",
		"triggers": ["sk-"],
	},
	"secret.jwt": {
		# Header and payload are base64url JSON objects, so both start with eyJ ('{"').
		"pattern": `(eyj[a-z0-9_-]{5,}\.eyj[a-z0-9_-]{5,}\.[a-z0-9_-]{10,})`,
		"what": ["JSON Web Token", "JSON Web Tokens"],
		"severity": "high",
		"triggers": ["eyj"],
	},
	"secret.private_key": {
		# PKCS#1/#8, EC, OpenSSH, encrypted and PGP private keys all share this armour line.
		"pattern": `(-----begin [a-z0-9 ]*private key(?: block)?-----)`,
		"what": ["PEM private key", "PEM private keys"],
		"severity": "critical",
		"triggers": ["private key"],
	},
	"secret.credential_assignment": {
		# api_key=…, "password": "…", db_password => …, pwd := …, client-secret: …, the password
		# is … (a full-width colon reads as `:` once folded), and the usual words for a password in
		# German, Dutch, French, Spanish, Portuguese and Polish; a password name may end a longer
		# one (PGPASSWORD, MYSQLPASSWORD), a short one may follow a usual prefix (DBPASS, MYSQLPWD). Group 2 is the operator, 3 an
		# opening quote, 4 the value (6+ characters), which `credential_value` judges.
		"pattern": `(?:^|[^a-z0-9])((?:[a-z0-9]*(?:password|passwd|passphrase|passcode|passwort|kennwort|wachtwoord|contrasena|senha|haslo)|mot de passe|(?:db|sql|mysql|pg|redis|root|admin|user|my|smtp|ftp|mail)?(?:pass|pwd|pw|psw)|api[_ -]?key|apikey|secret[_ -]?key|client[_ -]?secret|access[_ -]?token|auth[_ -]?token|bearer[_ -]?token|refresh[_ -]?token|private[_ -]?key|secret|token)["']?\s*(:=|=>|->|==?|:|\s(?:is|was|equals)\s)\s*(["'\x60]?)([^\s"'\x60,;]{6,}))`,
		"what": ["credential assignment (api_key=…, password=…)", "credential assignments (api_key=…, password=…)"],
		"severity": "high",
		"triggers": ["key", "secret", "token", "pass", "pwd", "pw", "psw", "wort", "woord", "contrasena", "senha", "haslo"],
	},
}

# What each detector that fired found, computed once: counted for the reason, and reported
# to the audit trail's redaction (`redact`, see decision.rego), which never stores it.
secret_matches[code] := matches if {
	some code in triggered_secrets
	detector := secret_detectors[code]
	matches := array.concat(
		[match[1] |
			some match in regex.find_all_string_submatch_n(detector.pattern, plain, -1)
			secret_found(code, detector, match)
		],
		url_credentials(code),
	)
	count(matches) > 0
}

# A password in a URL whose text names no credential (`postgres://admin:s3cret@db/app`): the
# credential row's triggers did not fire, so its URL passwords are looked for alone.
secret_matches["secret.credential_assignment"] := matches if {
	not credential_row_triggered
	matches := url_credentials("secret.credential_assignment")
	count(matches) > 0
}

credential_row_triggered if "secret.credential_assignment" in triggered_secrets

# The detectors one of whose triggers occurs, searched once.
triggered_secrets contains code if {
	secret_triggered
	some code, pattern in secret_triggers
	regex.match(pattern, plain)
}

secret_triggers[code] := any_of(detector.triggers) if some code, detector in secret_detectors

# Whether any detector's trigger occurs: most prompts hold none, and one search for all of
# them then stands for one per detector.
secret_triggered if regex.match(secret_trigger_pattern, plain)

secret_trigger_pattern := any_of([trigger | some detector in secret_detectors; some trigger in detector.triggers])

secret_found(code, detector, _) if {
	code != "secret.credential_assignment"
	not detector.length
}

secret_found(_, detector, match) if count(match[1]) == detector.length

secret_found("secret.credential_assignment", _, match) if {
	credential_value(match[2], match[3], match[4])
	not credential_reference(match[4])
}

# A value assigned in code (`=`, `:=`, `=>`, `->`) or quoted is a credential as written; after
# `:` or in prose (`is`, `was`, `equals`) it must hold a digit or a symbol, so that
# "password: required" or "the token is expired" are left alone.
credential_value(operator, _, _) if operator in {"=", "==", ":=", "=>", "->"}

credential_value(_, quote, _) if quote != ""

credential_value(_, _, value) if regex.match(`[^a-z]`, value)

# What code assigns when it reads a credential from elsewhere, and placeholders: a call, an
# index, a template or variable (`os.environ[…]`, `get_token()`, `${DB_PASSWORD}`, `$PGPASS`,
# `%DB_PASS%`, `<your-key>`), a mask (`****`), a dotted name (`config.db.password`), or a
# literal that is no value. A `$`, `%` or `*` inside a value (`wX9!mQ2#vL7$`) is a password's.
credential_reference(value) if regex.match(`[(\[{<]|^\$|\$[({]|^%[a-z_]+%|^\*+$|^(?:[a-z_][a-z0-9_]*\.)+[a-z_][a-z0-9_]*$|^(?:none|null|nil|undefined|true|false|required|optional|string)$`, value)

# A password in a URL's user info (`postgres://admin:s3cret@db.internal/app`), found with the
# credential assignments: scheme, user, `:`, then the password (6+ characters, judged as a
# quoted value is) before `@`.
url_credentials("secret.credential_assignment") := [match[1] |
	some match in regex.find_all_string_submatch_n(`[a-z][a-z0-9+.-]*://[^\s/@:]+:([^\s/@:]{6,})@`, plain, -1)
	not credential_reference(match[1])
] if {
	contains(plain, "://")
} else := []

url_credentials(code) := [] if code != "secret.credential_assignment"

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
