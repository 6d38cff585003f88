package store

// TxIsolation is an optional capability of a [TenantStore], found by type
// assertion: whether its transactions are isolated, so that a write of a
// transaction that has not committed is seen by no one else, and a
// transaction that fails leaves nothing at all behind (also across a
// crash). A store that applies writes at once and undoes them by
// compensation says false: meanwhile others see them, and an undo that
// fails leaves them. The engine runs an import's dry run as real writes
// in transactions that it rolls back only where this says true.
type TxIsolation interface {
	IsolatedTx() bool
}
