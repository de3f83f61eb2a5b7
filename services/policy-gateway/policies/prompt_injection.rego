# Prompt injection: phrasing that tries to override the model's instructions,
# switch it to an unrestricted persona, or make it disclose its system prompt.
# Matched against the lowercased prompt, so patterns are written in lowercase: this is
# case-insensitive matching without (?i), whose case-folded literals defeat the regex
# engines' fast literal search (several times slower on a long prompt).
# \s+ between words, so that line breaks and double spaces do not evade.
package policy_gateway

injection_detectors := {
	"prompt_injection.instruction_override": {
		# ignore all previous instructions; disregard the system prompt; forget your prior rules
		"pattern": `\b(?:ignore|disregard|forget|override|bypass)\s+(?:(?:all|any|the|your|of|my|these|those)\s+)*(?:previous|prior|above|earlier|preceding|system|original|initial|developer)\s+(?:instructions?|prompts?|rules|directions|guidelines|messages?|context|constraints)\b`,
		"what": "an attempt to override the model's instructions",
		"triggers": ["ignore", "disregard", "forget", "override", "bypass"],
	},
	"prompt_injection.persona_override": {
		# you are now DAN; act as DAN; do anything now; developer mode enabled; jailbreak mode
		"pattern": `\b(?:you\s+are\s+now\s+(?:dan|in\s+(?:developer|god|jailbreak)\s+mode|jailbroken|unrestricted|unfiltered)|(?:act|pretend)\s+(?:as|to\s+be)\s+dan|do\s+anything\s+now|(?:developer|god)\s+mode\s+(?:enabled|activated|on)|jailbreak(?:ed)?\s+mode|pretend\s+(?:that\s+)?you\s+have\s+no\s+(?:restrictions|rules|filters|guidelines))\b`,
		"what": "an attempt to switch the model to an unrestricted persona",
		"triggers": ["now", "dan", "developer", "god", "jailbreak", "pretend"],
	},
	"prompt_injection.system_prompt_extraction": {
		# reveal your system prompt; print the hidden instructions; what is your system message
		"pattern": `\b(?:reveal|show|print|repeat|output|display|leak|dump|tell\s+me|what\s+(?:is|are|was|were))\s+(?:me\s+)?(?:your|the)\s+(?:(?:full|entire|exact|original|hidden|initial|secret)\s+)*(?:system\s+(?:prompt|message|instructions)|hidden\s+instructions|initial\s+instructions|instructions\s+above)\b`,
		"what": "an attempt to extract the system prompt",
		"triggers": ["system", "instructions"],
	},
}

violations contains {
	"code": code,
	"message": sprintf("the prompt contains %s", [detector.what]),
	"severity": "high",
} if {
	some code, detector in injection_detectors
	triggered(detector)
	regex.match(detector.pattern, prompt_lower)
}
