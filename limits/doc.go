// Package limits is the one home of every bound hookscope puts on what
// arrives from outside: bodies, headers, files, numbers a user or a file
// supplies, and the disk the database may take. limits.go declares each
// one; docs/security.md has a row for each in its Limits table (the test
// here fails when a declaration has none).
//
// It also holds the one rule that checks a number at the edge: Int and
// Float name a field and its range, and their Check and Parse answer a
// *RangeError naming both. The API (400), the CLI (exit 2), the console's
// forms and command line all call the same Check, so a value is refused
// with the same words wherever it is typed, and nothing out of range is
// ever stored. Code that reads a stored value (an older file, another
// program) checks it with the same range and reports it as invalid instead
// of computing with it.
package limits
