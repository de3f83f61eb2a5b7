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

violations contains {
	"code": "pii.email",
	"message": sprintf("%s found in the prompt", [quantity(found, "e-mail address", "e-mail addresses")]),
	"severity": "medium",
} if {
	found := count(regex.find_n(email_pattern, prompt, -1))
	found > 0
}

violations contains {
	"code": "pii.phone_number",
	"message": sprintf("%s found in the prompt", [quantity(found, "phone number", "phone numbers")]),
	"severity": "medium",
} if {
	digit_count >= 7
	found := count(numeric_matches(phone_pattern))
	found > 0
}

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
	count(card_candidates) <= max_checked_numbers
	found := count([candidate | some candidate in card_candidates; luhn_valid(candidate)])
	found > 0
}

violations contains {
	"code": "pii.us_ssn",
	"message": sprintf("%s found in the prompt", [quantity(found, "US social security number", "US social security numbers")]),
	"severity": "high",
} if {
	digit_count >= 9
	found := count(numeric_matches(ssn_pattern))
	found > 0
}

violations contains {
	"code": "pii.iban",
	"message": sprintf("%s (checksum-valid) found in the prompt", [quantity(found, "IBAN", "IBANs")]),
	"severity": "high",
} if {
	count(iban_candidates) <= max_checked_numbers
	found := count([candidate | some candidate in iban_candidates; iban_valid(candidate)])
	found > 0
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

# Luhn: from the rightmost digit, every second digit counts double (minus 9 past 9); the
# number is valid when the sum ends in 0. Zeros in front add nothing, so the 13-19 digits
# are padded to 20, ten pairs of a doubled digit and a plain one, and each pair's share of
# the sum is looked up: ten lookups, where a loop over the digits costs several times more.
luhn_valid(candidate) if {
	digits := replace(replace(candidate, " ", ""), "-", "")
	padded := concat("", [substring("0000000", 0, 20 - count(digits)), digits])
	share := luhn_pairs
	total := sum([
		share[substring(padded, 0, 2)], share[substring(padded, 2, 2)],
		share[substring(padded, 4, 2)], share[substring(padded, 6, 2)],
		share[substring(padded, 8, 2)], share[substring(padded, 10, 2)],
		share[substring(padded, 12, 2)], share[substring(padded, 14, 2)],
		share[substring(padded, 16, 2)], share[substring(padded, 18, 2)],
	])
	total % 10 == 0
}

# "ab" → a doubled (minus 9 past 9) plus b.
luhn_pairs := {
	"00": 0, "01": 1, "02": 2, "03": 3, "04": 4, "05": 5, "06": 6, "07": 7, "08": 8, "09": 9,
	"10": 2, "11": 3, "12": 4, "13": 5, "14": 6, "15": 7, "16": 8, "17": 9, "18": 10, "19": 11,
	"20": 4, "21": 5, "22": 6, "23": 7, "24": 8, "25": 9, "26": 10, "27": 11, "28": 12, "29": 13,
	"30": 6, "31": 7, "32": 8, "33": 9, "34": 10, "35": 11, "36": 12, "37": 13, "38": 14, "39": 15,
	"40": 8, "41": 9, "42": 10, "43": 11, "44": 12, "45": 13, "46": 14, "47": 15, "48": 16, "49": 17,
	"50": 1, "51": 2, "52": 3, "53": 4, "54": 5, "55": 6, "56": 7, "57": 8, "58": 9, "59": 10,
	"60": 3, "61": 4, "62": 5, "63": 6, "64": 7, "65": 8, "66": 9, "67": 10, "68": 11, "69": 12,
	"70": 5, "71": 6, "72": 7, "73": 8, "74": 9, "75": 10, "76": 11, "77": 12, "78": 13, "79": 14,
	"80": 7, "81": 8, "82": 9, "83": 10, "84": 11, "85": 12, "86": 13, "87": 14, "88": 15, "89": 16,
	"90": 9, "91": 10, "92": 11, "93": 12, "94": 13, "95": 14, "96": 15, "97": 16, "98": 17, "99": 18,
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
