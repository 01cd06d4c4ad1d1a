-- The delivery worker deletes finished deliveries after mintline.webhooks.retention, oldest first:
-- find them by status and last attempt without reading the whole table.
CREATE INDEX webhook_deliveries_finished ON webhook_deliveries (status, updated_at);
