package main

import (
	"os"

	"github.com/spf13/pflag"
)

// apiTokenEnv names the environment variable that gives the REST API's
// token when --api-token is not given.
const apiTokenEnv = "HOOKSCOPE_API_TOKEN"

// addAPITokenFlag adds --api-token (shared by the console and serve). Its
// default is not shown in the help, so a token set in the environment
// never appears there.
func addAPITokenFlag(f *pflag.FlagSet, dst *string) {
	f.StringVar(dst, "api-token", "", "bearer token the REST API requires of every request; with one, --api may bind beyond loopback (default $"+apiTokenEnv+")")
}

// apiToken is --api-token when given, else $HOOKSCOPE_API_TOKEN.
func apiToken(f *pflag.FlagSet, flagValue string) string {
	if f.Changed("api-token") {
		return flagValue
	}
	return os.Getenv(apiTokenEnv)
}
