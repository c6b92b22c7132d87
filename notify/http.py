def check_url(url):
    pass
