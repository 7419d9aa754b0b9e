package privileges

// AddDataRule adds a rule of the current model, as a rule change in the
// one table would, and returns the function that takes it away again.
// onCatalog puts the privilege directly on the data source's catalog,
// otherwise on the data source itself.
func AddDataRule(p Privilege, onCatalog bool, why string) (restore func()) {
	saved := dataRules
	on := dataSourceSecurable
	if onCatalog {
		on = catalogOf
	}
	dataRules = append(append([]rule(nil), dataRules...), rule{p, on, onCatalog, why})
	return func() { dataRules = saved }
}
