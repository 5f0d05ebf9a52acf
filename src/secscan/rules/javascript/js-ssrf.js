const needle = require("needle");
const axios = require("axios");

function ResearchHandler() {
  this.displayResearch = (req, res) => {
    if (req.query.symbol) {
      const url = req.query.url + req.query.symbol;
      // ruleid: js-ssrf
      return needle.get(url, (error, newResponse, body) => res.send("ok"));
    }
    // ok: js-ssrf
    return needle.get("https://quotes.example.test/q/" + req.query.symbol);
  };
}

app.post("/profile/image/url", async (req, res) => {
  // ruleid: js-ssrf
  const image = await axios.get(req.body.imageUrl);
  // ok: js-ssrf
  const fixed = await fetch(`https://api.example.test/images/${encodeURIComponent(req.body.id)}`);
  res.json({ size: image.data.length, fixed: fixed.status });
});

async function health(url) {
  // ok: js-ssrf
  return fetch(url);
}
