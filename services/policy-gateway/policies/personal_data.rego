# Personal data in prompts: contact details, payment cards, national ids and bank
# accounts. Numbers that only look like ids are checked the way issuers check them
# (Luhn for cards, mod 97 and the country's length for IBANs, the SSA's never-issued ranges
# for SSNs), so that an order number or a random digit run is not reported.
#
# Every detector reads the folded prompt (`folded`, see prompt.rego): lower-case, one space
# for any run of white space or line breaks, any script's digits in ASCII, any dash as `-`,
# so `４１１１`, `4111\u00A0…` and `jane\u200B@example.com` read as the plain forms.
#
# The digit-shaped detectors (phone, card, SSN) do not scan the whole prompt each: one scan
# cuts out `numeric_text`, and each detector scans only that. Each also checks `digit_count`
# first (see prompt.rego): a prompt with fewer digits than its shortest match needs (7 for a
# phone number, 9 for an SSN, 13 for a card, 10 for an IBAN, whose check digits and account
# number are numeric in practice) skips it altogether.
package policy_gateway

# An address with `@` (`email_pattern`), or written around it with spaces (`jane @ example.com`)
# or spelt out (`jane at example dot com`, `jane [at] example [dot] com`: `loose_email_pattern`,
# which needs a known top-level domain, so that `x @ self.weight` in code is not an address).
# The loose pattern is slow in the embedded engine (its regex engine cannot prove it linear on
# JavaScript's and runs it on re2js: about 1 ms per 2 KB), so it runs only on a prompt that
# holds a spaced `@` or a spelt-out `dot`, which ordinary text rarely does.
email_pattern := `[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\b`

loose_email_pattern := `\b[a-z0-9._%+-]+(?: @ ?|@ | ?[(\[{<] ?at ?[)\]}>] ?| at )[a-z0-9-]+(?:(?: ?\. ?| ?[(\[{<] ?dot ?[)\]}>] ?| dot )[a-z0-9-]+)*(?: ?\. ?| ?[(\[{<] ?dot ?[)\]}>] ?| dot )(?:com|org|net|edu|gov|io|co|uk|de|fr|es|it|nl|be|ch|at|se|no|dk|fi|pl|pt|ie|us|ca|au|nz|jp|cn|in|br|mx|ru|info|biz|me|dev|app|ai)\b`

# An international number written with a leading + (E.164: up to 15 digits, a trunk `(0)`
# allowed) or 00 (the international prefix dialled in most countries: then a whole run of
# `numeric_text` with a separator after the country code, since 00 inside a longer number, a
# card's or an IBAN's group, or a run that merely starts with 00 is more often an id), a North-American one, (555) 123-4567 / 555.123.4567, or a national one in
# groups of 3-4-4 or 4-3-4, or a UK mobile number 07xxx xxxxxx, standing alone (020 7946 0958,
# 0161 496 0000, 07700 900123: a whole run of
# `numeric_text`, not the tail of a longer number). Bare digit runs are left alone unless a word says they are a phone
# number (`phone_keyword_pattern`): they are more often ids.
phone_pattern := `\+[1-9][0-9]{0,2}(?: ?\(0\))?(?:[ ./-]?[0-9]){6,13}\b|(?m:^00[1-9][0-9]{0,2}(?: ?\(0\))?[ ./-][0-9]{1,4}(?:[ ./-]?[0-9]){5,11}$)|(?:\([2-9][0-9]{2}\) ?|\b1[ ./-]?[2-9][0-9]{2}[ ./-]?|\b[2-9][0-9]{2}[ ./-]?)[0-9]{3}[ ./-][0-9]{4}\b|(?m:^0[1-9][0-9] [1-9][0-9]{3} [0-9]{4}$|^0[1-9][0-9]{2} [1-9][0-9]{2} [0-9]{4}$|^07[0-9]{3} ?[0-9]{6}$)`

phone_keyword_pattern := `\b(?:phone|tel|telephone|mobile|cell|cellphone|call me|text me|whatsapp|sms|fax)(?: number| no\.?| #)?(?: is| at| on)?(?::|=|:=|=>)? ?([0-9](?:[ ./-]?[0-9]){6,14})\b`

# 13 to 19 digits starting as a card network's numbers do (2-series and 51-55 Mastercard, 3
# Amex, Diners and JCB, 4 Visa, 6 Discover and UnionPay): in one run of 14-16 or 19 digits
# (13-digit runs are more often millisecond timestamps than cards), in groups of four (the
# last of one to four), or 4-6-5 / 4-6-4 (Amex, Diners), with any run of up to three
# separators (space, dot, slash, dash, underscore) between groups, or digit by digit with one
# separator between each (`4 1 1 1 …`), or four groups of four each in parentheses
# (`(4111)(1111)(1111)(1111)`; a digit run ends before the last one's `)`); the Luhn check
# decides.
card_candidate_pattern := `\b(?:(?:4[0-9]|5[1-5]|2[2-7]|3[0-9]|6[0-9])(?:[0-9]{12,14}|[0-9]{17})|(?:4[0-9]|5[1-5]|2[2-7]|3[0-9]|6[0-9])[0-9]{2}(?:[ ./_-]{1,3}[0-9]{4}){2,3}(?:[ ./_-]{1,3}[0-9]{1,4})?|3[0-9]{3}[ ./_-]{1,3}[0-9]{6}[ ./_-]{1,3}[0-9]{4,5}|[2-6](?:[ ./_-][0-9]){12,18})\b|\((?:4[0-9]|5[1-5]|2[2-7]|6[0-9])[0-9]{2}\)(?:[ ./_-]{0,2}\([0-9]{4}\)){2}[ ./_-]{0,2}\([0-9]{4}`

# US SSN, AAA-GG-SSSS with dashes, spaces or dots, excluding ranges never issued: area 000,
# 666 and 900-999, group 00, serial 0000. Without separators a nine-digit number is an SSN
# only when "ssn" or "social security" says so (`ssn_keyword_pattern`).
ssn_area := `(?:00[1-9]|0[1-9][0-9]|[1-578][0-9]{2}|6[0-57-9][0-9]|66[0-57-9])`

ssn_group := `(?:0[1-9]|[1-9][0-9])`

ssn_serial := `(?:000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})`

ssn_pattern := concat("", [
	`\b(?:`, ssn_area, "-", ssn_group, "-", ssn_serial,
	"|", ssn_area, " ", ssn_group, " ", ssn_serial,
	"|", ssn_area, `\.`, ssn_group, `\.`, ssn_serial, `)\b`,
])

ssn_keyword_pattern := concat("", [
	`\b(?:ssn|ss#|social security(?: number| no\.?| #)?)(?: is| was)?(?::|=|:=|=>)? ?#? ?(`,
	ssn_area, ssn_group, ssn_serial, `)\b`,
])

# UK National Insurance number: two letters (not D, F, I, Q, U, V; O not second), six digits
# in pairs or not, and A-D, with spaces, dots or dashes or none.
uk_nino_pattern := `\b[a-ceghj-pr-tw-z][a-ceghj-npr-tw-z][ .-]?[0-9]{2}[ .-]?[0-9]{2}[ .-]?[0-9]{2}[ .-]?[a-d]\b`

# Country code, check digits, then 11-30 letters or digits, one separator (space, dot, dash)
# allowed before each: any case (the prompt is folded) and any grouping. A match may run on
# into the next word; the check reads only the country's length of it.
iban_candidate_pattern := `\b[a-z]{2}[0-9]{2}(?:[ .-]?[a-z0-9]){11,30}`

# The parts of the prompt a digit-shaped detector can match, one a line: maximal runs of
# digits, spaces and + ( ) . / _ - that start with a digit, `+` or `(` and end with a digit.
# Every phone, card and SSN match lies inside one run, and no pattern matches a line break
# (where `\b` holds, as at either end of the prompt), so scanning these lines finds what
# scanning the runs one by one would, in one regex scan per detector however many runs the
# prompt holds. Prose yields a few short lines, so each detector scans a few dozen
# characters, not the prompt. The gateway sends these lines (`input.normalized.numeric`, cut
# out by the same pattern in prompt-normalization.ts): building them here costs a Rego string
# per run, and a prompt of figures holds hundreds of runs.
numeric_text := input.normalized.numeric if {
	digit_count >= 7
	is_string(input.normalized.numeric)
	folded == input.normalized.prompt
} else := concat("\n", regex.find_n(`[+(0-9][0-9 ()./_+-]*[0-9]`, folded, -1)) if {
	digit_count >= 7
}

# Every match of `pattern` in the digit-shaped runs of the prompt.
numeric_matches(pattern) := regex.find_n(pattern, numeric_text, -1)

email_matches := array.concat(plain_email_matches, loose_email_matches)

# Read in `plain` (see prompt.rego), so that spaced-out letters, accents and look-alike letters
# do not hide an address. An address in a URL's user info (`https://token@github.com/…`) is
# not an e-mail address: a credential there is the secret detectors' concern.
plain_email_matches := [address |
	some address in regex.find_n(email_pattern, plain, -1)
	not url_user_info(address)
] if {
	contains(plain, "@")
} else := []

# `https://token@host/…`, `postgres://user:password@host/…`: the part before `@` is a URL's
# user info.
url_user_info(address) if contains(plain, concat("", ["//", address]))

url_user_info(address) if {
	contains(plain, "://")
	regex.match(concat("", [`//[^\s/@:]+:`, strings.replace_n(regex_metacharacters, address)]), plain)
}

# `the @example.com domain`, `to @jane.doe on the forum`: a handle or a domain named after a
# word of prose is not an address spaced out.
loose_email_matches := [text |
	some text in regex.find_n(loose_email_pattern, plain, -1)
	not text in plain_email_matches
	not regex.match(`^(?:the|a|an|our|your|my|their|its|his|her|this|that|these|those|to|for|from|of|on|in|at|by|with|via|use|and|or|ping|tag|cc) @`, text)
	not placeholder_address(text)
] if {
	regex.match(`(?: @|@ |dot)`, plain)
} else := []

# `name at company dot com`, `user [at] example [dot] com`: the format of an address spelt out
# in words, with a generic word for the user and for the domain, describes how to write one
# and is nobody's address. `jane at company dot com` is still an address.
placeholder_address(text) if regex.match(`^(?:name|user|username|yourname|firstname|lastname|someone|somebody|you|email)(?: | ?[(\[{<] ?)at(?: | ?[)\]}>] ?)(?:company|domain|example|yourcompany|yourdomain|website|host|provider)(?: | ?[(\[{<] ?)dot(?: | ?[)\]}>] ?)`, text)

violations contains {
	"code": "pii.email",
	"message": sprintf("%s found in the prompt", [quantity(found, "e-mail address", "e-mail addresses")]),
	"severity": "medium",
} if {
	found := count(email_matches)
	found > 0
}

violations contains {
	"code": "pii.phone_number",
	"message": sprintf("%s found in the prompt", [quantity(found, "phone number", "phone numbers")]),
	"severity": "medium",
} if {
	found := count(phone_matches)
	found > 0
}

phone_matches := array.concat(numeric_matches(phone_pattern), phone_keyword_matches) if digit_count >= 7

phone_keyword_matches := [match[1] | some match in regex.find_all_string_submatch_n(phone_keyword_pattern, folded, -1)] if {
	regex.match(`phone|tel|mobile|cell|call me|text me|whatsapp|sms|fax`, folded)
} else := []

# Checking a card or IBAN candidate costs a few microseconds of Rego (a card about 5, an
# IBAN about 10, in the embedded engine), far more than finding it, so a prompt packed with
# candidates would buy that work hundreds of times over. Each of the two detectors checks
# at most this many: 16 of each cost about what scanning an ordinary 16 KiB prompt does
# (`npm run bench:adversarial`), and a real prompt rarely holds more than a handful of
# 13-19 digit numbers (17 random ones hold a Luhn-valid one 8 times in 10 anyway).
# A prompt holding more is not checked in part, since a real number would then hide behind
# enough fakes placed before it: it is denied as `pii.unverifiable_numbers`.
max_checked_numbers := 16

card_candidates := numeric_matches(card_candidate_pattern) if digit_count >= 13

iban_candidates := regex.find_n(iban_candidate_pattern, folded, -1) if digit_count >= 10

violations contains {
	"code": "pii.payment_card",
	"message": sprintf("%s (Luhn-valid) found in the prompt", [quantity(found, "payment card number", "payment card numbers")]),
	"severity": "high",
} if {
	found := count(valid_cards)
	found > 0
}

valid_cards := [candidate | some candidate in card_candidates; luhn_valid(candidate)] if {
	count(card_candidates) <= max_checked_numbers
}

violations contains {
	"code": "pii.us_ssn",
	"message": sprintf("%s found in the prompt", [quantity(found, "US social security number", "US social security numbers")]),
	"severity": "high",
} if {
	found := count(ssn_matches)
	found > 0
}

ssn_matches := array.concat(numeric_matches(ssn_pattern), ssn_keyword_matches) if digit_count >= 9

ssn_keyword_matches := [match[1] | some match in regex.find_all_string_submatch_n(ssn_keyword_pattern, folded, -1)] if {
	regex.match(`ssn|ss#|social security`, folded)
} else := []

violations contains {
	"code": "pii.uk_nino",
	"message": sprintf("%s found in the prompt", [quantity(found, "UK National Insurance number", "UK National Insurance numbers")]),
	"severity": "high",
} if {
	found := count(nino_matches)
	found > 0
}

nino_matches := regex.find_n(uk_nino_pattern, folded, -1) if digit_count >= 6

violations contains {
	"code": "pii.iban",
	"message": sprintf("%s (checksum-valid) found in the prompt", [quantity(found, "IBAN", "IBANs")]),
	"severity": "high",
} if {
	found := count(valid_ibans)
	found > 0
}

valid_ibans := [iban | some candidate in iban_candidates; iban := iban_of(candidate)] if {
	count(iban_candidates) <= max_checked_numbers
}

# Too many candidates to check: fail closed, as if one of them were real.
violations contains {
	"code": "pii.unverifiable_numbers",
	"message": sprintf("%s in the prompt, too many to check: treated as holding a real one", [concat(" and ", too_many)]),
	"severity": "high",
} if {
	too_many := [sprintf("more than %d %s", [max_checked_numbers, kind]) | some kind in sort(unverifiable_numbers)]
	count(too_many) > 0
}

unverifiable_numbers contains "card-shaped numbers" if count(card_candidates) > max_checked_numbers

unverifiable_numbers contains "IBAN-shaped numbers" if count(iban_candidates) > max_checked_numbers

# What the audit trail's redaction replaces (`redact`, see decision.rego; never stored): every
# match a reason counted. Numbers too many to check are all redacted, as all are suspect.
redact contains {"code": "pii.email", "text": text} if some text in email_matches

redact contains {"code": "pii.phone_number", "text": text} if some text in phone_matches

redact contains {"code": "pii.payment_card", "text": text} if some text in valid_cards

redact contains {"code": "pii.us_ssn", "text": text} if some text in ssn_matches

redact contains {"code": "pii.iban", "text": text} if some text in valid_ibans

redact contains {"code": "pii.uk_nino", "text": text} if some text in nino_matches

redact contains {"code": "pii.unverifiable_numbers", "text": text} if {
	count(card_candidates) > max_checked_numbers
	some text in card_candidates
}

redact contains {"code": "pii.unverifiable_numbers", "text": text} if {
	count(iban_candidates) > max_checked_numbers
	some text in iban_candidates
}

# Luhn: from the rightmost digit, every second digit counts double (minus 9 past 9); the
# number is valid when the sum ends in 0. Zeros in front add nothing, so the 13-19 digits
# are padded to 20: ten pairs of a doubled digit and a plain one. One strings.replace_n
# writes each pair's share of the sum as that many marks (it reads the pairs left to right,
# two digits at a time, since every pattern is two digits long), and counting the marks
# adds the shares up: three builtin calls where a lookup per pair took twelve, and the
# check costs about half as much (`npm run bench:adversarial`).
luhn_valid(candidate) if {
	digits := strings.replace_n(number_separators, candidate)
	padded := concat("", [substring("0000000", 0, 20 - count(digits)), digits])
	count(strings.replace_n(luhn_pair_marks, padded)) % 10 == 0
}

# "ab" → as many marks as a doubled (minus 9 past 9) plus b: "18" → 2 + 8 = 10 marks.
luhn_pair_marks := {
	"00": "", "01": "x", "02": "xx", "03": "xxx", "04": "xxxx",
	"05": "xxxxx", "06": "xxxxxx", "07": "xxxxxxx", "08": "xxxxxxxx", "09": "xxxxxxxxx",
	"10": "xx", "11": "xxx", "12": "xxxx", "13": "xxxxx", "14": "xxxxxx",
	"15": "xxxxxxx", "16": "xxxxxxxx", "17": "xxxxxxxxx", "18": "xxxxxxxxxx", "19": "xxxxxxxxxxx",
	"20": "xxxx", "21": "xxxxx", "22": "xxxxxx", "23": "xxxxxxx", "24": "xxxxxxxx",
	"25": "xxxxxxxxx", "26": "xxxxxxxxxx", "27": "xxxxxxxxxxx", "28": "xxxxxxxxxxxx", "29": "xxxxxxxxxxxxx",
	"30": "xxxxxx", "31": "xxxxxxx", "32": "xxxxxxxx", "33": "xxxxxxxxx", "34": "xxxxxxxxxx",
	"35": "xxxxxxxxxxx", "36": "xxxxxxxxxxxx", "37": "xxxxxxxxxxxxx", "38": "xxxxxxxxxxxxxx", "39": "xxxxxxxxxxxxxxx",
	"40": "xxxxxxxx", "41": "xxxxxxxxx", "42": "xxxxxxxxxx", "43": "xxxxxxxxxxx", "44": "xxxxxxxxxxxx",
	"45": "xxxxxxxxxxxxx", "46": "xxxxxxxxxxxxxx", "47": "xxxxxxxxxxxxxxx", "48": "xxxxxxxxxxxxxxxx", "49": "xxxxxxxxxxxxxxxxx",
	"50": "x", "51": "xx", "52": "xxx", "53": "xxxx", "54": "xxxxx",
	"55": "xxxxxx", "56": "xxxxxxx", "57": "xxxxxxxx", "58": "xxxxxxxxx", "59": "xxxxxxxxxx",
	"60": "xxx", "61": "xxxx", "62": "xxxxx", "63": "xxxxxx", "64": "xxxxxxx",
	"65": "xxxxxxxx", "66": "xxxxxxxxx", "67": "xxxxxxxxxx", "68": "xxxxxxxxxxx", "69": "xxxxxxxxxxxx",
	"70": "xxxxx", "71": "xxxxxx", "72": "xxxxxxx", "73": "xxxxxxxx", "74": "xxxxxxxxx",
	"75": "xxxxxxxxxx", "76": "xxxxxxxxxxx", "77": "xxxxxxxxxxxx", "78": "xxxxxxxxxxxxx", "79": "xxxxxxxxxxxxxx",
	"80": "xxxxxxx", "81": "xxxxxxxx", "82": "xxxxxxxxx", "83": "xxxxxxxxxx", "84": "xxxxxxxxxxx",
	"85": "xxxxxxxxxxxx", "86": "xxxxxxxxxxxxx", "87": "xxxxxxxxxxxxxx", "88": "xxxxxxxxxxxxxxx", "89": "xxxxxxxxxxxxxxxx",
	"90": "xxxxxxxxx", "91": "xxxxxxxxxx", "92": "xxxxxxxxxxx", "93": "xxxxxxxxxxxx", "94": "xxxxxxxxxxxxx",
	"95": "xxxxxxxxxxxxxx", "96": "xxxxxxxxxxxxxxx", "97": "xxxxxxxxxxxxxxxx", "98": "xxxxxxxxxxxxxxxxx", "99": "xxxxxxxxxxxxxxxxxx",
}

number_separators := {" ": "", "-": "", ".": "", "/": "", "_": "", "(": "", ")": ""}

# The IBAN a candidate starts with: as many letters and digits as its country's IBANs have
# (a candidate may run on into the next word), whose check holds. ISO 13616: move the first
# four characters to the end, replace letters by 10..35, and the resulting number mod 97
# must be 1.
iban_of(candidate) := iban if {
	length := iban_lengths[substring(candidate, 0, 2)]
	iban := regex.find_n(sprintf(`^[a-z]{2}[0-9]{2}(?:[ .-]?[a-z0-9]){%d}`, [length - 4]), candidate, 1)[0]
	compact := upper(strings.replace_n(number_separators, iban))
	rearranged := concat("", [substring(compact, 4, -1), substring(compact, 0, 4)])
	mod97(strings.replace_n(iban_letter_values, rearranged)) == 1
}

# The length of each country's IBANs (the IBAN registry).
iban_lengths := {
	"ad": 24, "ae": 23, "al": 28, "at": 20, "az": 28, "ba": 20, "be": 16, "bg": 22, "bh": 22, "bi": 27,
	"br": 29, "by": 28, "ch": 21, "cr": 22, "cy": 28, "cz": 24, "de": 22, "dj": 27, "dk": 18, "do": 28,
	"ee": 20, "eg": 29, "es": 24, "fi": 18, "fk": 18, "fo": 18, "fr": 27, "gb": 22, "ge": 22, "gi": 23,
	"gl": 18, "gr": 27, "gt": 28, "hr": 21, "hu": 28, "ie": 22, "il": 23, "iq": 23, "is": 26, "it": 27,
	"jo": 30, "kw": 30, "kz": 20, "lb": 28, "lc": 32, "li": 21, "lt": 20, "lu": 20, "lv": 21, "ly": 25,
	"mc": 27, "md": 24, "me": 22, "mk": 19, "mn": 20, "mr": 27, "mt": 31, "mu": 30, "ni": 28, "nl": 18,
	"no": 15, "om": 23, "pk": 24, "pl": 28, "ps": 29, "pt": 25, "qa": 29, "ro": 24, "rs": 22, "ru": 33,
	"sa": 24, "sc": 31, "sd": 18, "se": 24, "si": 19, "sk": 24, "sm": 27, "so": 23, "st": 25, "sv": 28,
	"tl": 23, "tn": 24, "tr": 26, "ua": 29, "va": 22, "vg": 24, "xk": 20, "ye": 30,
}

# A decimal string of up to 78 digits mod 97, without big integers: padded with zeros in
# front to 78 digits, six 13-digit chunks, each weighted by 10^(13k) mod 97 (k counted from
# the right), so that every term and their sum stay below 2^53, exact in any engine. A
# candidate has at most 36 characters, 34 of them letters of two digits each: 70 digits.
mod97(digits) := total % 97 if {
	padded := concat("", [substring(mod97_zeros, 0, 78 - count(digits)), digits])
	total := sum([
		to_number(substring(padded, 0, 13)) * 59, to_number(substring(padded, 13, 13)) * 88,
		to_number(substring(padded, 26, 13)) * 77, to_number(substring(padded, 39, 13)) * 31,
		to_number(substring(padded, 52, 13)) * 15, to_number(substring(padded, 65, 13)),
	])
}

mod97_zeros := "000000000000000000000000000000000000000000000000000000000000000000000000000000"

iban_letter_values := {
	"A": "10", "B": "11", "C": "12", "D": "13", "E": "14", "F": "15", "G": "16", "H": "17", "I": "18",
	"J": "19", "K": "20", "L": "21", "M": "22", "N": "23", "O": "24", "P": "25", "Q": "26", "R": "27",
	"S": "28", "T": "29", "U": "30", "V": "31", "W": "32", "X": "33", "Y": "34", "Z": "35",
}
