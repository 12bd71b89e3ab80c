package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/store"
)

// partitionsCommand parses "chatbot-store partitions" and creates the
// monthly partitions from -from's month to -ahead months after the current one.
func partitionsCommand(ctx context.Context, args []string, out io.Writer) error {
	flags, databaseURL := databaseFlags("partitions")
	ahead := flags.Int("ahead", 3, fmt.Sprintf("months after the current one (UTC) to create partitions for, 0 to %d", store.MaxPartitionMonthsAhead))
	from := flags.String("from", "", "first month to create, YYYY-MM (default the current month); earlier months move their rows out of the default partition")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if *ahead < 0 || *ahead > store.MaxPartitionMonthsAhead {
		return fmt.Errorf("-ahead %d: give 0 to %d months", *ahead, store.MaxPartitionMonthsAhead)
	}
	clock := now().UTC()
	first := time.Date(clock.Year(), clock.Month(), 1, 0, 0, 0, 0, time.UTC)
	if *from != "" {
		month, err := time.Parse("2006-01", *from)
		if err != nil {
			return fmt.Errorf("-from %q is not a month: use YYYY-MM, such as 2024-01", *from)
		}
		first = month
	}
	last := time.Date(clock.Year(), clock.Month()+time.Month(*ahead), 1, 0, 0, 0, 0, time.UTC)
	if first.After(last) {
		return fmt.Errorf("-from %s is after the last month to create, %s: lower -from or raise -ahead", first.Format("2006-01"), last.Format("2006-01"))
	}
	return withConn(ctx, *databaseURL, func(conn *pgx.Conn) error {
		return partitions(ctx, conn, first, last, out)
	})
}

// partitions creates the partitions of the months first to last and says
// what it did and how many rows still wait in the default partition.
func partitions(ctx context.Context, conn *pgx.Conn, first, last time.Time, out io.Writer) error {
	version, err := store.CurrentVersion(ctx, conn)
	if err != nil {
		return err
	}
	if version < 4 {
		return fmt.Errorf("the store is at schema version %d, before messages were partitioned (version 4): run chatbot-store migrate first", version)
	}
	created, err := store.EnsureTimePartitions(ctx, conn, first, last)
	if err != nil {
		return err
	}
	for _, name := range created {
		if _, err := fmt.Fprintf(out, "created %s\n", name); err != nil {
			return err
		}
	}
	if len(created) == 0 {
		if _, err := fmt.Fprintf(out, "every month from %s to %s already has its partition\n", first.Format("2006-01"), last.Format("2006-01")); err != nil {
			return err
		}
	}
	waiting, err := store.DefaultPartitionRows(ctx, conn)
	if err != nil {
		return err
	}
	if waiting > 0 {
		rows := "rows"
		if waiting == 1 {
			rows = "row"
		}
		_, err = fmt.Fprintf(out, "messages_default still holds %d %s of months without a partition: run again with -from set to their first month\n", waiting, rows)
		return err
	}
	return nil
}
