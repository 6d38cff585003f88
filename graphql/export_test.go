package graphql

// SchemaBuilds reports how many schemas the server has built.
func (s *Server) SchemaBuilds() int { return s.cache.buildCount() }

// CachedDocuments reports how many validated documents the server keeps.
func (s *Server) CachedDocuments() int { return s.docs.len() }
