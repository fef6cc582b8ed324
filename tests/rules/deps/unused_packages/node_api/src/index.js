const express = require('express');
const cors = require("cors");

const app = express();
app.use(cors());
app.get('/later', async (_req, res) => {
  const { default: dayjs } = await import('dayjs');
  res.json({ at: dayjs().toISOString() });
});
app.listen(3000);
