-- golang-migrate migration, named like one outside a migrations folder.
CREATE TABLE vote (
    id bigserial PRIMARY KEY,
    post_id bigint NOT NULL REFERENCES post (id)
);
