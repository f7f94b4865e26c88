-- The feed reads the newest rows of intentional_feed_inbox with an
-- index-only scan, which visits the heap for every row on a page not yet
-- marked all-visible, and the newest rows are exactly the ones a vacuum has
-- not reached yet.  With the default insert threshold (20% of the table)
-- those pages stay unmarked for days; vacuum this insert-only, self-pruning
-- table after every 1% of new rows instead.  Only a storage parameter: the
-- original backend does not see it.
ALTER TABLE intentional_feed_inbox SET (
    autovacuum_vacuum_insert_scale_factor = 0.01,
    autovacuum_vacuum_scale_factor = 0.02,
    autovacuum_analyze_scale_factor = 0.02
);
