"""The public web form (/support/): customers report a problem without logging in.

`services.submit_request` opens the case (linked to customer, order and unit where they
match), writes the customer's words and files as its first timeline entry, and after COMMIT
sends `case_opened_by_customer` (the confirmation mail). `limits` holds the spam brakes.
"""
