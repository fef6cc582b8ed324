-- An init script (docker-entrypoint-initdb.d): the schema, still reported.
CREATE TABLE site (
    id serial PRIMARY KEY,
    instance_id int NOT NULL REFERENCES instance (id)  -- optimus-expect: fk-without-index
);
