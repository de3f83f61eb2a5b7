# Who may not use the gateway at all: data.policy_gateway.blocked_users.
package policy_gateway

violations contains {
	"code": "user.blocked",
	"message": "this user is blocked from using the gateway",
	"severity": "high",
} if {
	input.user_id in data.policy_gateway.blocked_users
}
