package main

import (
	"fmt"
	"regexp"
)

var (
	// A field's arguments, parsed for every object the field is on.
	parsedArgs = regexp.MustCompile(`if fc\.Args, err = ec\.(field_\w+_args)\(ctx, field\.ArgumentMap\(ec\.Variables\)\); err != nil \{`)
	sharedArgs = []byte("if fc.Args, err = fieldArgs(ctx, field, ec.Variables, ec.${1}); err != nil {")
)

// sharedFieldArgs has fields take their arguments from graph.fieldArgs,
// which parses them once per request and field.
func sharedFieldArgs(src []byte) ([]byte, error) {
	if !parsedArgs.Match(src) {
		return nil, fmt.Errorf("no field arguments in the expected form - has gqlgen changed?")
	}
	return parsedArgs.ReplaceAll(src, sharedArgs), nil
}
