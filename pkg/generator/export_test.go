package generator

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// SetChunkContacts makes loads simulate n contacts at a time until the
// returned function restores the default, so that tests merge many runs.
func SetChunkContacts(n int) (restore func()) {
	old := chunkContacts
	chunkContacts = n
	return func() { chunkContacts = old }
}

// SetCopyBatchRows makes loads copy at most n rows per COPY statement until
// the returned function restores the default.
func SetCopyBatchRows(n int) (restore func()) {
	old := copyBatchRows
	copyBatchRows = n
	return func() { copyBatchRows = old }
}

// SetBeforeCopy makes loads call f in their transaction before copying each
// table until the returned function restores the default (nothing).
func SetBeforeCopy(f func(ctx context.Context, tx pgx.Tx, table string) error) (restore func()) {
	old := beforeCopy
	beforeCopy = f
	return func() { beforeCopy = old }
}
