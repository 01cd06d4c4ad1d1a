pragma solidity ^0.5.17;

contract Owned {
    address public owner;

    constructor() public {
        owner = msg.sender;
    }
}

contract Shop is Owned {
    address public owner;
    uint256 public price;

    function setPrice(uint256 price) public {
        require(msg.sender == owner, "owner only");
        uint256 now = price;
        price = now;
    }
}
