-- payload: none
-- Grants on the read-only samples catalog, linted without a payload.
GRANT SELECT ON TABLE samples.nyctaxi.trips TO `data-eng`; -- want "UCB015 GRANT on table samples\\.nyctaxi\\.trips fails: the samples catalog is read-only"
REVOKE USE CATALOG ON CATALOG `samples` FROM `account users`; -- want "UCB015 REVOKE on catalog samples fails"
GRANT SELECT ON TABLE main.sales.orders TO `data-eng`;
