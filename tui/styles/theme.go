// Package styles holds the console's look: a Theme (a palette of colours,
// nothing else) and Styles (every lipgloss style the console draws with,
// named for what it means, built from a Theme). Views never construct
// colours themselves, so a theme change touches one place.
package styles

import (
	"image/color"

	"charm.land/lipgloss/v2"
)

// Theme is a palette. Styles are derived from it by New.
type Theme struct {
	Name string

	Foreground color.Color
	Muted      color.Color
	Subtle     color.Color
	Border     color.Color
	Accent     color.Color
	Selection  color.Color
	OnAccent   color.Color

	Success color.Color
	Warning color.Color
	Danger  color.Color
	Info    color.Color

	// Control marks a neutralised control character in untrusted text.
	Control color.Color

	// Syntax colours for JSON.
	Key    color.Color
	String color.Color
	Number color.Color
	Atom   color.Color // true, false, null
	Punct  color.Color
}

// Dark is the default theme, for dark terminals.
func Dark() Theme {
	return Theme{
		Name:       "dark",
		Foreground: lipgloss.Color("#E4E4E7"),
		Muted:      lipgloss.Color("#A1A1AA"),
		Subtle:     lipgloss.Color("#52525B"),
		Border:     lipgloss.Color("#3F3F46"),
		Accent:     lipgloss.Color("#8B5CF6"),
		Selection:  lipgloss.Color("#312E81"),
		OnAccent:   lipgloss.Color("#FAFAFA"),
		Success:    lipgloss.Color("#22C55E"),
		Warning:    lipgloss.Color("#EAB308"),
		Danger:     lipgloss.Color("#EF4444"),
		Info:       lipgloss.Color("#38BDF8"),
		Control:    lipgloss.Color("#F472B6"),
		Key:        lipgloss.Color("#93C5FD"),
		String:     lipgloss.Color("#86EFAC"),
		Number:     lipgloss.Color("#FDBA74"),
		Atom:       lipgloss.Color("#C4B5FD"),
		Punct:      lipgloss.Color("#A1A1AA"),
	}
}
