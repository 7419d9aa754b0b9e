-- A prerequisites script without CREATE CATALOG on the metastore: reported at
-- the last GRANT.
-- payload: examples/payloads/auto-token.json
-- kind: prerequisites

-- 1. Service principal on the metastore

-- 2. Service principal on the data it protects
GRANT USE CATALOG, MANAGE ON CATALOG `main` TO `6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f`;
GRANT USE SCHEMA ON SCHEMA `main`.`marketing` TO `6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f`;
GRANT SELECT, MODIFY ON TABLE `main`.`marketing`.`campaigns` TO `6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f`;
GRANT USE SCHEMA, SELECT, MODIFY ON SCHEMA `main`.`sales` TO `6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f`; -- want "UCB003 .*CREATE CATALOG on METASTORE"
