-- kind: cleanup
-- A setup script passed as the cleanup script.
CREATE CATALOG IF NOT EXISTS `immuta` MANAGED LOCATION 's3://acme-governance/immuta'; -- want "UCB016 this is not a cleanup script: it creates CATALOG immuta"
GRANT USE CATALOG ON CATALOG `immuta` TO `6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f`; -- want "UCB013 the catalog guard is gone"
