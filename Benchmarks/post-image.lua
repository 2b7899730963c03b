-- wrk script: POST one file's bytes as the raw request body.
--   WRK_BODY_FILE=path/to/image.jpg [WRK_CONTENT_TYPE=image/jpeg] wrk -s Benchmarks/post-image.lua URL
-- The body is read once at load time (each wrk thread runs this chunk), so the request sent is
-- the same pre-built string on every call: wrk measures the server, not file I/O.
local path = os.getenv("WRK_BODY_FILE")
if path == nil or path == "" then
  error("post-image.lua: set WRK_BODY_FILE to the file to POST")
end
local file = assert(io.open(path, "rb"))
local body = file:read("*a")
file:close()

wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = os.getenv("WRK_CONTENT_TYPE") or "image/jpeg"
