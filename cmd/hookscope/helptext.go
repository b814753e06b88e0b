package main

import (
	"fmt"
	"strings"

	"github.com/hookscope/hookscope/check"
	"github.com/hookscope/hookscope/fixtures"
)

// The help texts that list the vendors are written from the registry
// (fixtures.Names, each profile's Title) and from check's scenarios, so a
// new profile shows in them with no edit here.

// helpWidth is the widest line of a help text.
const helpWidth = 80

// wrapHelp writes text's words from first on, wrapped at helpWidth, each
// further line starting with indent; it ends with a line feed.
func wrapHelp(first, indent, text string) string {
	var b strings.Builder
	line := first
	for i, w := range strings.Fields(text) {
		if i > 0 && len(line)+1+len(w) > helpWidth {
			b.WriteString(line + "\n")
			line = indent + w
			continue
		}
		if i > 0 {
			line += " "
		}
		line += w
	}
	b.WriteString(line + "\n")
	return b.String()
}

// vendorTitles names every profile as it calls itself, in the registry's
// order, for the root's help: "Cyscale, …, Standard Webhooks and Generic
// JSON".
func vendorTitles() string {
	var titles []string
	for _, p := range fixtures.All() {
		titles = append(titles, p.Title())
	}
	if len(titles) < 2 {
		return strings.Join(titles, "")
	}
	return strings.Join(titles[:len(titles)-1], ", ") + " and " + titles[len(titles)-1]
}

// vendorScenarioHelp lists, for check's help, every profile of the
// registry with what its own scenarios send (check.VendorSummary), the
// name in a column and the summary wrapped beside it.
func vendorScenarioHelp() string {
	names := fixtures.Names()
	col := 0
	for _, n := range names {
		col = max(col, len(n))
	}
	col += 4 // two spaces before the name, two after
	var b strings.Builder
	for _, n := range names {
		summary := check.VendorSummary(n)
		if summary == "" {
			summary = "the per-event scenarios only"
		}
		b.WriteString(wrapHelp(fmt.Sprintf("  %-*s", col-2, n), strings.Repeat(" ", col), summary))
	}
	return b.String()
}
