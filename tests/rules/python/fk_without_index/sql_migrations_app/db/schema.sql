-- The current schema: still reported.
CREATE TABLE person (
    id bigserial PRIMARY KEY,
    instance_id bigint NOT NULL REFERENCES instance (id)  -- optimus-expect: fk-without-index
);
