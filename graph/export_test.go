package graph

// SetFastLists turns the fast list marshaller on or off; it returns how to
// restore the previous setting.
func SetFastLists(on bool) (restore func()) {
	was := !fastListsOff.Swap(!on)
	return func() { fastListsOff.Store(!was) }
}

// FastListsWritten counts the lists the fast marshaller has written.
func FastListsWritten() int64 { return fastListsWritten.Load() }

// SetInPlaceFields turns resolving fields in place on or off; it returns
// how to restore the previous setting.
func SetInPlaceFields(on bool) (restore func()) {
	was := !inPlaceOff.Swap(!on)
	return func() { inPlaceOff.Store(!was) }
}

// InPlaceResolved counts the fields resolved in place.
func InPlaceResolved() int64 { return inPlaceResolved.Load() }
