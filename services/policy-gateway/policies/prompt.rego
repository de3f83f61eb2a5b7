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

# What the detectors read: the forms of the prompt the gateway computes before evaluation and
# passes beside it (`input.normalized`, see README "Normalised input"), so that a zero-width
# space, a no-break space, full-width letters, a Cyrillic `о` or Arabic-Indic digits do not
# hide what the plain text would show:
#   folded   - format characters removed, white space runs as one space, NFKC, dashes as `-`,
#              digits in ASCII, case-folded: read by the secret and personal-data detectors;
#   skeleton - its Unicode TR39 confusables skeleton, marks dropped: read by the phrase
#              detectors (prompt_injection.rego).
# A caller of OPA that sends no normalised forms gets the lower-cased prompt for both (`m`
# spelt `rn` in the skeleton, as TR39 spells it), which catches the plain spellings only.
# Folding may lengthen a prompt (one character of NFKC can give 18): a form over four times
# the limit is not read, and the lower-cased prompt stands for it.
folded := input.normalized.prompt if readable(input.normalized.prompt)

folded := prompt_lower if not readable(input.normalized.prompt)

# plain     - the folded prompt with spaced-out letters joined, accents dropped and look-alikes
#             outside ASCII written as the ASCII they imitate, sent only when it differs from
#             `folded`: read by the e-mail and secret detectors (`j a n e @ e x a m p l e . c o m`,
#             an address with a Cyrillic `е`).
plain := input.normalized.plain if readable(input.normalized.plain)

plain := folded if not readable(input.normalized.plain)

skeleton := input.normalized.skeleton if readable(input.normalized.skeleton)

skeleton := replace(prompt_lower, "m", "rn") if not readable(input.normalized.skeleton)

# What the phrase detectors read (prompt_injection.rego): the skeleton with the disguises a
# skeleton keeps undone. Digits and symbols written for letters read as the letters
# (leetspeak: `pr3v10us`; the skeleton already reads 0 as `o` and 1 as `l`), and punctuation
# written between or around words reads as a space (`disregard-previous-instructions`,
# `IGNORE_ALL_PREVIOUS`, `(all) [previous] {instructions}`, `Override: previous …`). One pass
# over the text, and none when the skeleton holds nothing to respell (most prose): searching for
# the symbols is a regex scan, far cheaper than the replacement's walk over every character.
# The gateway sends this reading (`input.normalized.phrase`, computed as `phraseSpelling` in
# prompt-normalization.ts) when it differs from the skeleton.
#
# Complete forms (those that carry `changed`, as `normalizePolicyInput` makes them) leave
# `phrase` out when it equals the skeleton: the skeleton is then read as it is, with no scan
# for the symbols. Only a caller that sends a skeleton alone has the policy respell it.
phrase_text := input.normalized.phrase if {
	readable(input.normalized.phrase)
} else := skeleton if {
	not input.normalized.phrase
	complete_forms
	readable(input.normalized.skeleton)
} else := respelt_skeleton

# The gateway's forms carry `changed`, and leave out `phrase` and `digits` when they hold
# nothing new (the skeleton itself, no digit).
complete_forms if is_array(input.normalized.changed)

respelt_skeleton := strings.replace_n(phrase_spelling, skeleton) if {
	regex.match(phrase_symbols, skeleton)
} else := skeleton

# Where `phrase_spelling` has something to replace: any of its keys, written as a class (an
# alternation of 28 characters is searched a character at a time, several times slower).
# policies/tests check that it matches every key and nothing else.
phrase_symbols := `''|[-3457@$_()\[\]{}<>*/\\~=+#^:;|]`

# The readings phrase detectors match: `phrase_text`, and when a 1 stands next to a letter
# (`1gnore`, `pr3v10us`), the same with every `l` read as `i`: TR39 reads the digit 1 as `l`,
# where leetspeak means `i`. Words with a real `l` are misspelt in that reading, so it is
# matched as well as the first one, not instead of it.
phrase_texts contains phrase_text

phrase_texts contains replace(phrase_text, "l", "i") if {
	contains(folded, "1")
	regex.match(`[a-z]1|1[a-z]`, folded)
}

phrase_spelling := {
	"3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s",
	"-": " ", "_": " ", "(": " ", ")": " ", "[": " ", "]": " ", "{": " ", "}": " ", "<": " ", ">": " ",
	"*": " ", "/": " ", "\\": " ", "~": " ", "=": " ", "+": " ", "#": " ", "^": " ", ":": " ", ";": " ",
	"''": " ", "|": " ",
}

readable(form) if {
	is_string(prompt)
	is_string(form)
	count(form) <= 4 * data.policy_gateway.limits.max_prompt_chars
}

# How many ASCII digits the folded prompt holds (any script's digits are ASCII there).
# Digit-shaped detectors (phone, card, IBAN) need several. The gateway sends the count
# (`input.normalized.digits`, when the prompt holds a digit), read only when `folded` is the
# text it was counted in; complete forms without it (see `complete_forms`) hold no digit.
# Without either, a prompt without a digit (most prose) costs one search for a digit, and one
# with digits ten substring counts.
digit_count := input.normalized.digits if {
	is_number(input.normalized.digits)
	folded == input.normalized.prompt
} else := 0 if {
	not input.normalized.digits
	complete_forms
	folded == input.normalized.prompt
} else := 0 if {
	not regex.match(`[0-9]`, folded)
} else := sum([strings.count(folded, digit) | some digit in ascii_digits])

ascii_digits := ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]

# A detector runs its regex only when one of its `triggers` (lowercase literals, one of which
# every match contains) occurs in the prompt: most prompts contain none, and searching for
# literals costs far less than a regex scan, whose cost varies with the text. The triggers are
# searched as one alternation (`any_of`), which the regex engines search in one pass, where a
# substring search per trigger would read the prompt once per trigger. Alternations are built
# in rules that read no input, so the engine builds each once and keeps it.
# A regex alternation of literal strings, for a one-pass search for any of them.
any_of(literals) := concat("|", [strings.replace_n(regex_metacharacters, literal) | some literal in literals])

regex_metacharacters := {
	".": `\.`, "+": `\+`, "*": `\*`, "?": `\?`, "(": `\(`, ")": `\)`, "[": `\[`, "]": `\]`,
	"{": `\{`, "}": `\}`, "|": `\|`, "^": `\^`, "$": `\$`, "\\": `\\`,
}

# "1 e-mail address", "3 e-mail addresses": for messages that say how many were found.
quantity(n, singular, _) := sprintf("%d %s", [n, singular]) if n == 1

quantity(n, _, plural) := sprintf("%d %s", [n, plural]) if n != 1
