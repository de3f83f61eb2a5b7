# Who may not use the gateway at all: data.policy_gateway.blocked_users.
# An id is compared as written and in its canonical form (`input.normalized.user_id`, see
# README "Normalised input": trimmed, format characters removed, NFKC, case-folded, dashes as
# `-`), so `Blocked-User `, `blocked\u2010user` and `blocked-user` are one id. Blocked ids are
# listed in canonical form; each is also lower-cased and trimmed here, in case one is not.
package policy_gateway

violations contains {
	"code": "user.blocked",
	"message": "this user is blocked from using the gateway",
	"severity": "high",
} if {
	blocked_user
}

blocked_user if input.user_id in data.policy_gateway.blocked_users

blocked_user if {
	some blocked in data.policy_gateway.blocked_users
	canonical_user_id == lower(trim_space(blocked))
}

canonical_user_id := input.normalized.user_id if is_string(input.normalized.user_id)

canonical_user_id := lower(trim_space(input.user_id)) if {
	not is_string(input.normalized.user_id)
	is_string(input.user_id)
}
