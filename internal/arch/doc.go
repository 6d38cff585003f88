// Package arch has no code of its own: its tests hold the project's shape.
// They check, with the go command's view of the module, which packages may
// depend on which (the core never reaches HTTP, drivers or the API edge;
// the GraphQL edge reaches storage only through the engine) and that every
// package says in its doc comment what it owns. docs/decisions.md draws the
// map these rules keep true.
package arch
