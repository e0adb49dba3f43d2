package graph

// SetFastLists turns the fast list marshaller on or off; it returns how to
// restore the previous setting.
func SetFastLists(on bool) (restore func()) {
	was := !fastListsOff.Swap(!on)
	return func() { fastListsOff.Store(!was) }
}

// FastListsWritten counts the lists the fast marshaller has written.
func FastListsWritten() int64 { return fastListsWritten.Load() }

// OptionalFields lists, per GraphQL type, the fields whose columns lists
// read only when they are selected.
func OptionalFields() map[string][]string {
	out := map[string][]string{}
	for _, o := range optionalColumns {
		for _, fc := range o.fields {
			if fc[0] != "" {
				out[o.typeName] = append(out[o.typeName], fc[0])
			}
		}
	}
	return out
}
