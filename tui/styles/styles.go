package styles

import (
	"charm.land/lipgloss/v2"
)

// Styles are every style the console uses, named by meaning.
type Styles struct {
	Theme Theme

	// Frame.
	AppName      lipgloss.Style
	HeaderLabel  lipgloss.Style
	HeaderValue  lipgloss.Style
	TabActive    lipgloss.Style
	TabInactive  lipgloss.Style
	PaneFocused  lipgloss.Style
	PaneBlurred  lipgloss.Style
	PaneTitle    lipgloss.Style
	Footer       lipgloss.Style
	HelpKey      lipgloss.Style
	HelpDesc     lipgloss.Style
	HelpSep      lipgloss.Style
	StatusInfo   lipgloss.Style
	StatusOK     lipgloss.Style
	StatusError  lipgloss.Style
	StatusAsk    lipgloss.Style
	Overlay      lipgloss.Style
	OverlayTitle lipgloss.Style

	// Lists.
	RowSelected lipgloss.Style
	RowNormal   lipgloss.Style
	ColumnHead  lipgloss.Style
	Empty       lipgloss.Style

	// Meaning.
	Muted        lipgloss.Style
	OK           lipgloss.Style
	Warn         lipgloss.Style
	Bad          lipgloss.Style
	Info         lipgloss.Style
	Section      lipgloss.Style
	FieldName    lipgloss.Style
	Notice       lipgloss.Style
	ControlGlyph lipgloss.Style // a neutralised control character
	Match        lipgloss.Style // the filter's text found in the detail
	MatchCurrent lipgloss.Style // the match n/N moved to

	// JSON syntax.
	JSONKey    lipgloss.Style
	JSONString lipgloss.Style
	JSONNumber lipgloss.Style
	JSONAtom   lipgloss.Style
	JSONPunct  lipgloss.Style
}

// New builds the styles of a theme.
func New(t Theme) Styles {
	fg := lipgloss.NewStyle().Foreground
	return Styles{
		Theme:        t,
		AppName:      lipgloss.NewStyle().Bold(true).Foreground(t.OnAccent).Background(t.Accent).Padding(0, 1),
		HeaderLabel:  fg(t.Muted),
		HeaderValue:  fg(t.Foreground).Bold(true),
		TabActive:    lipgloss.NewStyle().Bold(true).Foreground(t.Accent).Underline(true),
		TabInactive:  fg(t.Muted),
		PaneFocused:  lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(t.Accent),
		PaneBlurred:  lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(t.Border),
		PaneTitle:    fg(t.Accent).Bold(true),
		Footer:       fg(t.Muted),
		HelpKey:      fg(t.Foreground).Bold(true),
		HelpDesc:     fg(t.Muted),
		HelpSep:      fg(t.Subtle),
		StatusInfo:   fg(t.Info),
		StatusOK:     fg(t.Success),
		StatusError:  fg(t.Danger).Bold(true),
		StatusAsk:    fg(t.Warning).Bold(true),
		Overlay:      lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(t.Accent).Padding(0, 1),
		OverlayTitle: fg(t.Accent).Bold(true),
		RowSelected:  lipgloss.NewStyle().Foreground(t.OnAccent).Background(t.Selection).Bold(true),
		RowNormal:    fg(t.Foreground),
		ColumnHead:   fg(t.Muted).Bold(true),
		Empty:        fg(t.Muted).Italic(true),
		Muted:        fg(t.Muted),
		OK:           fg(t.Success),
		Warn:         fg(t.Warning),
		Bad:          fg(t.Danger),
		Info:         fg(t.Info),
		Section:      fg(t.Accent).Bold(true),
		FieldName:    fg(t.Muted),
		Notice:       fg(t.Warning).Bold(true),
		ControlGlyph: fg(t.Control).Reverse(true),
		// Reverse video and underline still show without colour (NO_COLOR).
		Match:        fg(t.Warning).Reverse(true),
		MatchCurrent: fg(t.Accent).Reverse(true).Bold(true).Underline(true),
		JSONKey:      fg(t.Key),
		JSONString:   fg(t.String),
		JSONNumber:   fg(t.Number),
		JSONAtom:     fg(t.Atom),
		JSONPunct:    fg(t.Punct),
	}
}

// Default is New(Dark()).
func Default() Styles { return New(Dark()) }

// Mark styles a sanitiser placeholder; it is a sanitize.Marker.
func (s Styles) Mark(placeholder string) string { return s.ControlGlyph.Render(placeholder) }

// HTTPStatus styles a status code by class (0: no answer).
func (s Styles) HTTPStatus(code int) lipgloss.Style {
	switch {
	case code == 0:
		return s.Bad
	case code < 300:
		return s.OK
	case code < 500:
		return s.Warn
	default:
		return s.Bad
	}
}
