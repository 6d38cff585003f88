package graphql

// SchemaBuilds reports how many schemas the server has built.
func (s *Server) SchemaBuilds() int { return s.cache.buildCount() }
