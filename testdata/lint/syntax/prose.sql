-- payload: none
-- Notes pasted into a script: prose whose first word is a verb that
-- Databricks SQL keeps opaque (SET, ADD, SELECT, DELETE, TABLE, ...) is a
-- syntax error at the first word that does not fit the statement.
Set up Unity Catalog before you run this; -- want "UCB001 expected '=' after the configuration key, found Unity"
Add the service principal to the admins group first; -- want "UCB001 expected JAR, JARS, FILE, FILES, ARCHIVE or ARCHIVES after ADD, found the"
Select the rows you want; -- want "UCB001 expected ',', FROM or the end of the statement after the select item the rows, found you"
DELETE everything now; -- want "UCB001 expected FROM after DELETE, found everything"
insert coin; -- want "UCB001 expected INTO, OVERWRITE or WITH after INSERT, found coin"
Table of contents; -- want "UCB001 expected ';', UNION, ORDER BY or LIMIT after the table name of TABLE, found contents"
SET spark.sql.ansi.enabled = true;
SELECT a b FROM t;
