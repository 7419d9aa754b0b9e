-- payload: none
-- A script linted without a payload: the rules that need only the script
-- run, the others are skipped.
GRAN SELECT ON TABLE t TO g; -- want "UCB001 GRAN is not a statement of Databricks SQL: did you mean GRANT\\?"
GRANT USE SCHEMA ON CATALOG `system` TO `6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f`; -- want "UCB006"
GRANT USAGE ON CATALOG `main` TO `users`; -- want "UCB007" "UCB008"
GRANT SELECT, MODIFY ON VIEW `main`.`sales`.`v` TO `analyst@example.com`; -- want "UCB010 MODIFY does not apply to a VIEW"
CREATE CATALOG c MANAGED LOCATION '/mnt/c'; -- want "UCB011"
DROP CATALOG `immuta` CASCADE;
