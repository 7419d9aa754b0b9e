-- kind: cleanup
-- A cleanup that hands the catalog to a person and no longer drops it: the hand-over is an exposure then.
-- ucbootstrap: cleanup script (manual setup), payload schema v1
-- workspace  dbc-a1b2c3d4-e5f6.cloud.databricks.com
-- catalog    immuta
-- principal  6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f (service principal)
-- run as     a metastore admin, or a user with ownership of CATALOG immuta
-- payload    sha256:d430ad77ff895963ce336074d13b4bf82a25366da454d50ce5ed38b36e889a24 (secrets excluded; the configure call must send the same payload)
-- WARNING: row filters and column masks that call the functions of catalog immuta break every query on their tables once the catalog is gone.
-- Find them first, and drop them (ALTER TABLE ... DROP ROW FILTER; ALTER TABLE ... ALTER COLUMN ... DROP MASK):
--   SELECT catalog_name, schema_name, table_name, 'row filter' AS kind FROM system.information_schema.row_filters WHERE filter_catalog = 'immuta'
--   UNION ALL SELECT catalog_name, schema_name, table_name, 'column mask on ' || column_name FROM system.information_schema.column_masks WHERE mask_catalog = 'immuta';
-- DROP CATALOG ... CASCADE soft-deletes the catalog and everything in it: UNDROP cannot bring the tables back, since it needs their catalog and schema to exist; managed files are purged after the recovery window, external files are not deleted.
-- Safe to run again until the catalog is gone; after that, ALTER CATALOG ... OWNER TO fails because there is no catalog left: the drop is done.

-- 1. Catalog guard: stop unless the catalog is absent or this integration's own
-- catalog guard: stops when the catalog exists without this integration's marker
SELECT raise_error('catalog immuta exists and was not set up by ucbootstrap for tenant acme-prod: its comment does not end with the marker [ucbootstrap v1 tenant=acme-prod]; the cleanup drops only a catalog that ucbootstrap set up for this integration')
  FROM `system`.`information_schema`.`catalogs`
  WHERE catalog_name = 'immuta' AND NOT endswith(coalesce(comment, ''), ' [ucbootstrap v1 tenant=acme-prod]');

-- 2. Drop the governance catalog and everything in it
ALTER CATALOG `immuta` OWNER TO `admin@example.com`; -- want "UCB004 admin@example.com would own CATALOG immuta" "UCB016 the cleanup script no longer drops"
