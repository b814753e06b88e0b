package main

import (
	"errors"
	"strconv"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/hookscope/hookscope/limits"
)

// The CLI's numeric flags are read by their range in limits, named as the
// flag: a value out of range, past int64, or no number at all is refused
// as it is parsed (exit 2), in the words of the API and the console:
// "--count: 99999999999 is outside 0..1000000".

// intValue is a pflag.Value holding an integer checked by rule.
type intValue[T int | int64] struct {
	p    *T
	rule limits.Int
}

func (v intValue[T]) Set(s string) error {
	n, err := v.rule.Parse(s)
	if err != nil {
		return err
	}
	*v.p = T(n)
	return nil
}

func (v intValue[T]) String() string { return strconv.FormatInt(int64(*v.p), 10) }
func (v intValue[T]) Type() string   { return "int" }

// floatValue is a pflag.Value holding a real number checked by rule.
type floatValue struct {
	p    *float64
	rule limits.Float
}

func (v floatValue) Set(s string) error {
	n, err := v.rule.Parse(s)
	if err != nil {
		return err
	}
	*v.p = n
	return nil
}

func (v floatValue) String() string { return strconv.FormatFloat(*v.p, 'g', -1, 64) }
func (v floatValue) Type() string   { return "float" }

// intFlag defines --name on f, default value (not checked: a default
// outside the range, such as 0 for an id, means "not given"), read by
// rule; the help ends with the range.
func intFlag[T int | int64](f *pflag.FlagSet, p *T, name string, value T, rule limits.Int, usage string) {
	*p = value
	rule = rule.Named("--" + name)
	f.Var(intValue[T]{p: p, rule: rule}, name, usage+" ("+rule.Range()+")")
}

// floatFlag defines --name on f, read by rule.
func floatFlag(f *pflag.FlagSet, p *float64, name string, value float64, rule limits.Float, usage string) {
	*p = value
	rule = rule.Named("--" + name)
	f.Var(floatValue{p: p, rule: rule}, name, usage+" ("+rule.Range()+")")
}

// flagError makes any flag the command line got wrong a usage error (exit
// 2); a number out of its range says so in the range's own words.
func flagError(_ *cobra.Command, err error) error {
	var re *limits.RangeError
	if errors.As(err, &re) {
		return usageError{re}
	}
	return usageError{err}
}

// asFlags renames, in a *limits.RangeError from a shared parser (the API's
// filter: q, limit, before), the field as the command's flag is named.
func asFlags(err error, names map[string]string) error {
	var re *limits.RangeError
	if errors.As(err, &re) {
		if n, ok := names[re.Field]; ok {
			re.Field = n
		}
	}
	return err
}
