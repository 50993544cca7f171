"""The public web form (/support/): customers report a problem without logging in.

`services.submit_request` opens the case (linked to customer, order and unit where they
match), writes the customer's words and files as its first timeline entry, and tells the
case's `opened` event where to send the confirmation mail (`channels.acknowledgements`).
`limits` holds the spam brakes.
"""
