const opentelemetry = require('@opentelemetry/sdk-node');
module.exports = opentelemetry;
