# Personal data in prompts: contact details, payment cards, national ids and bank
# accounts. Numbers that only look like ids are checked the way issuers check them
# (Luhn for cards, mod 97 for IBANs, the SSA's never-issued ranges for SSNs), so that
# an order number or a random digit run is not reported.
#
# The digit-shaped detectors (phone, card, SSN, IBAN) do not scan the whole prompt each:
# one scan cuts out `numeric_text`, and each detector scans only that. Each also checks
# `digit_count` first (see prompt.rego): a prompt with fewer digits than its shortest match
# needs (7 for a phone number, 9 for an SSN, 13 for a card, 8 for an IBAN, whose check
# digits and account number are numeric in practice) skips it altogether.
package policy_gateway

email_pattern := `[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b`

# An international number written with a leading + (E.164: up to 15 digits), or a
# North-American one, (555) 123-4567 / 555-123-4567. Bare digit runs are left alone: they
# are more often ids than phone numbers.
phone_pattern := `\+[1-9](?:[ .-]?[0-9]){6,14}\b|(?:\([2-9][0-9]{2}\)|\b[2-9][0-9]{2})[ .-]?[0-9]{3}[ .-][0-9]{4}\b`

# 13 to 19 digits, optionally grouped by spaces or dashes, starting with a digit that
# some card network issues (2 to 6); the Luhn check below decides.
card_candidate_pattern := `\b[2-6](?:[ -]?[0-9]){12,18}\b`

# US SSN as written, AAA-GG-SSSS, excluding ranges never issued: area 000, 666 and
# 900-999, group 00, serial 0000.
ssn_pattern := `\b(?:00[1-9]|0[1-9][0-9]|[1-578][0-9]{2}|6[0-57-9][0-9]|66[0-57-9])-(?:0[1-9]|[1-9][0-9])-(?:000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})\b`

# Country code, check digits, then 11-30 characters, compact or in groups of four.
iban_candidate_pattern := `\b[A-Z]{2}[0-9]{2}(?:[A-Z0-9]{11,30}|(?: [A-Z0-9]{4}){2,7}(?: [A-Z0-9]{1,4})?)\b`

# The parts of the prompt a digit-shaped detector can match, one a line: maximal runs of
# digits, capitals, spaces and + ( ) . - that hold a digit. Every phone, card, SSN and IBAN
# match lies inside one run, and no pattern matches a line break (where `\b` holds, as at
# either end of the prompt), so scanning these lines finds what scanning the runs one by
# one would, in one regex scan per detector however many runs the prompt holds. Prose
# yields a few short lines, so each detector scans a few dozen characters, not the prompt.
numeric_text := concat("\n", regex.find_n(`[+(A-Z0-9][A-Z0-9 ().+-]*[0-9](?:[A-Z0-9 ().+-]*[A-Z0-9])?`, prompt, -1)) if {
	digit_count >= 7
}

# Every match of `pattern` in the digit-shaped runs of the prompt.
numeric_matches(pattern) := regex.find_n(pattern, numeric_text, -1)

email_matches := regex.find_n(email_pattern, prompt, -1)

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

phone_matches := numeric_matches(phone_pattern) if digit_count >= 7

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

iban_candidates := numeric_matches(iban_candidate_pattern) if digit_count >= 8

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

ssn_matches := numeric_matches(ssn_pattern) if digit_count >= 9

violations contains {
	"code": "pii.iban",
	"message": sprintf("%s (checksum-valid) found in the prompt", [quantity(found, "IBAN", "IBANs")]),
	"severity": "high",
} if {
	found := count(valid_ibans)
	found > 0
}

valid_ibans := [candidate | some candidate in iban_candidates; iban_valid(candidate)] if {
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
	digits := strings.replace_n({" ": "", "-": ""}, candidate)
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

# ISO 13616: move the first four characters to the end, replace letters by 10..35,
# and the resulting number mod 97 must be 1.
iban_valid(candidate) if {
	compact := replace(candidate, " ", "")
	rearranged := concat("", [substring(compact, 4, -1), substring(compact, 0, 4)])
	mod97(strings.replace_n(iban_letter_values, rearranged)) == 1
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
