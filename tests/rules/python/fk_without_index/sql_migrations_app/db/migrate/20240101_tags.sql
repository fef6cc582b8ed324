-- Rails-style db/migrate folder.
CREATE TABLE tagging (
    id bigserial PRIMARY KEY,
    tag_id bigint NOT NULL REFERENCES tag (id)
);
