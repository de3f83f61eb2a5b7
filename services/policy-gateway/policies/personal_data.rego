# Personal data in prompts: contact details, payment cards, national ids and bank
# accounts. Numbers that only look like ids are checked the way issuers check them
# (Luhn for cards, mod 97 for IBANs, the SSA's never-issued ranges for SSNs), so that
# an order number or a random digit run is not reported.
#
# The digit-shaped detectors (phone, card, SSN, IBAN) do not scan the whole prompt each:
# one scan cuts out `numeric_spans`, and each detector scans only those short runs. Each
# also checks `digit_count` first (see prompt.rego): a prompt with fewer digits than its
# shortest match needs (7 for a phone number, 9 for an SSN, 13 for a card, 8 for an IBAN,
# whose check digits and account number are numeric in practice) skips it altogether.
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

# The parts of the prompt a digit-shaped detector can match: maximal runs of digits,
# capitals, spaces and + ( ) . - that hold a digit and are at least 8 characters long
# (the shortest phone number). Every phone, card, SSN and IBAN match lies inside one, so
# scanning these runs finds what scanning the prompt would, for the price of one scan.
numeric_spans := [span |
	digit_count >= 7
	some span in regex.find_n(`[+(A-Z0-9][A-Z0-9 ().+-]*[0-9](?:[A-Z0-9 ().+-]*[A-Z0-9])?`, prompt, -1)
	count(span) >= 8
]

# Every match of `pattern` in the numeric spans long enough to hold its shortest match.
numeric_matches(pattern, shortest) := [found |
	some span in numeric_spans
	count(span) >= shortest
	some found in regex.find_n(pattern, span, -1)
]

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
	found := count(numeric_matches(phone_pattern, 8))
	found > 0
}

violations contains {
	"code": "pii.payment_card",
	"message": sprintf("%s (Luhn-valid) found in the prompt", [quantity(found, "payment card number", "payment card numbers")]),
	"severity": "high",
} if {
	digit_count >= 13
	found := count([candidate |
		some candidate in numeric_matches(card_candidate_pattern, 13)
		luhn_valid(replace(replace(candidate, " ", ""), "-", ""))
	])
	found > 0
}

violations contains {
	"code": "pii.us_ssn",
	"message": sprintf("%s found in the prompt", [quantity(found, "US social security number", "US social security numbers")]),
	"severity": "high",
} if {
	digit_count >= 9
	found := count(numeric_matches(ssn_pattern, 11))
	found > 0
}

violations contains {
	"code": "pii.iban",
	"message": sprintf("%s (checksum-valid) found in the prompt", [quantity(found, "IBAN", "IBANs")]),
	"severity": "high",
} if {
	digit_count >= 8
	found := count([candidate |
		some candidate in numeric_matches(iban_candidate_pattern, 15)
		iban_valid(candidate)
	])
	found > 0
}

# Luhn: from the rightmost digit, every second digit counts double (minus 9 past 9);
# the number is valid when the sum ends in 0. The digits are looked up as characters, so
# that checking a candidate is one comprehension.
luhn_valid(digits) if {
	n := count(digits)
	total := sum([luhn_values[(n - 1 - i) % 2][digit] | some i, digit in split(digits, "")])
	total % 10 == 0
}

luhn_values := [
	{"0": 0, "1": 1, "2": 2, "3": 3, "4": 4, "5": 5, "6": 6, "7": 7, "8": 8, "9": 9},
	{"0": 0, "1": 2, "2": 4, "3": 6, "4": 8, "5": 1, "6": 3, "7": 5, "8": 7, "9": 9},
]

# ISO 13616: move the first four characters to the end, replace letters by 10..35,
# and the resulting number mod 97 must be 1.
iban_valid(candidate) if {
	compact := replace(candidate, " ", "")
	n := count(compact)
	rearranged := concat("", [substring(compact, 4, n - 4), substring(compact, 0, 4)])
	digits := concat("", [iban_digits[substring(rearranged, i, 1)] | some i in numbers.range(0, n - 1)])
	mod97(digits) == 1
}

# A decimal string of up to 72 digits mod 97, without big integers: 9-digit chunks
# from the right, each weighted by 10^(9k) mod 97, so every term stays exact.
mod97(digits) := sum(terms) % 97 if {
	n := count(digits)
	terms := [term |
		some k in numbers.range(0, ceil(n / 9) - 1)
		end := n - (9 * k)
		start := max([0, end - 9])
		term := to_number(substring(digits, start, end - start)) * mod97_chunk_weights[k]
	]
}

mod97_chunk_weights := [1, 34, 89, 19, 64, 42, 70, 52]

iban_digits := {
	"0": "0", "1": "1", "2": "2", "3": "3", "4": "4", "5": "5", "6": "6", "7": "7", "8": "8", "9": "9",
	"A": "10", "B": "11", "C": "12", "D": "13", "E": "14", "F": "15", "G": "16", "H": "17", "I": "18",
	"J": "19", "K": "20", "L": "21", "M": "22", "N": "23", "O": "24", "P": "25", "Q": "26", "R": "27",
	"S": "28", "T": "29", "U": "30", "V": "31", "W": "32", "X": "33", "Y": "34", "Z": "35",
}
